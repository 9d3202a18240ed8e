using Chitchat.Fuzz;
using SharpFuzz;

// Chitchat.Fuzz TARGET            run TARGET under afl-fuzz (SharpFuzz's out-of-process fork server)
// Chitchat.Fuzz TARGET FILE|DIR   run TARGET once over a file or every file of a directory (replay a crash, check a corpus)
if (args.Length is < 1 or > 2 || !FuzzTargets.Names.Contains(args[0]))
{
    Console.Error.WriteLine($"usage: Chitchat.Fuzz {string.Join("|", FuzzTargets.Names)} [FILE|DIR]");
    return 2;
}

var target = FuzzTargets.Get(args[0]);
if (args.Length == 2)
{
    var files = Directory.Exists(args[1]) ? Directory.GetFiles(args[1]).Order(StringComparer.Ordinal).ToArray() : [args[1]];
    foreach (var file in files)
    {
        target(File.ReadAllBytes(file));
    }

    Console.WriteLine($"{args[0]}: {files.Length} inputs, no failure");
    return 0;
}

Fuzzer.OutOfProcess.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    target(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
});
return 0;
