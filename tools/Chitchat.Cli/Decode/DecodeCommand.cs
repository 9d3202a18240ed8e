using System.CommandLine;
using System.Text.Json;
using Chitchat.Cli.Common;
using Chitchat.Cli.Json;
using Chitchat.Wire;

namespace Chitchat.Cli.Decode;

/// <summary>
/// <c>chitchat decode</c>: decodes one chitchat datagram (PROTOCOL.md) and prints it as JSON, or prints why it
/// is malformed (exit code 1). Handy to look at captured traffic or at the examples of PROTOCOL.md §9.
/// </summary>
internal static class DecodeCommand
{
    public static Command Create()
    {
        var hex = new Option<string?>("--hex") { Description = "The datagram as hex digits (spaces allowed), e.g. 53b00003.", HelpName = "hex" };
        var file = new Option<FileInfo?>("--file") { Description = "A file holding the raw datagram bytes.", HelpName = "path" };
        var command = new Command("decode", "Decode one chitchat datagram (from --hex, --file, or standard input as hex or raw bytes) and print it as JSON.")
        {
            hex, file,
        };
        command.Validators.Add(result =>
        {
            if (result.GetResult(hex) is not null && result.GetResult(file) is not null)
            {
                result.AddError("Give either --hex or --file, not both.");
            }
        });

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var (datagram, inputError) = await ReadInputAsync(parseResult.GetValue(hex), parseResult.GetValue(file), cancellationToken).ConfigureAwait(false);
            if (datagram is null)
            {
                await Console.Error.WriteLineAsync($"error: {inputError}").ConfigureAwait(false);
                return inputError!.StartsWith("no input", StringComparison.Ordinal) ? ExitCodes.Usage : ExitCodes.Failure;
            }

            return await DecodeAsync(datagram, Console.Out, Console.Error).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Decodes <paramref name="datagram"/> and writes its JSON, or the decode error.</summary>
    public static async Task<int> DecodeAsync(byte[] datagram, TextWriter output, TextWriter error)
    {
        if (!MessageCodec.TryDecode(datagram, out var message, out var decodeError))
        {
            await error.WriteLineAsync(
                $"error: malformed chitchat datagram ({datagram.Length} bytes): {decodeError.Message} [{decodeError.Kind}, offset {decodeError.Offset}]").ConfigureAwait(false);
            return ExitCodes.Failure;
        }

        var json = JsonSerializer.Serialize(JsonMapping.ToJson(message, datagram.Length), CliJsonContext.Pretty.DecodedDatagramJson);
        await output.WriteLineAsync(json).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    private static async Task<(byte[]? Datagram, string? Error)> ReadInputAsync(string? hex, FileInfo? file, CancellationToken cancellationToken)
    {
        if (hex is not null)
        {
            return DatagramInput.TryParseHex(hex, out var bytes, out var error) ? (bytes, null) : (null, $"--hex: {error}");
        }

        if (file is not null)
        {
            try
            {
                return (await File.ReadAllBytesAsync(file.FullName, cancellationToken).ConfigureAwait(false), null);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return (null, $"--file: cannot read {file.FullName}: {ex.Message}");
            }
        }

        if (!Console.IsInputRedirected)
        {
            return (null, "no input: give --hex HEX or --file PATH, or pipe the datagram (hex or raw bytes) to standard input.");
        }

        using var stdin = Console.OpenStandardInput();
        using var buffer = new MemoryStream();
        await stdin.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (buffer.Length == 0)
        {
            return (null, "no input: standard input is empty.");
        }

        return DatagramInput.TryInterpretStdin(buffer.ToArray(), out var datagram, out var stdinError)
            ? (datagram, null)
            : (null, $"standard input: {stdinError}");
    }
}
