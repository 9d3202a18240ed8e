using BenchmarkDotNet.Running;

namespace Chitchat.Benchmarks;

/// <summary>Entry point: <c>dotnet run -c Release -- --filter '*WireCodec*' --job short</c>.</summary>
public static class Program
{
    /// <summary>Runs the benchmarks selected by <paramref name="args"/>; <c>--sizes</c> prints the message sizes.</summary>
    /// <param name="args">BenchmarkDotNet command-line arguments.</param>
    public static void Main(string[] args)
    {
        if (args is ["--sizes"])
        {
            WireCodecBenchmarks.PrintSizes(Console.Out);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
