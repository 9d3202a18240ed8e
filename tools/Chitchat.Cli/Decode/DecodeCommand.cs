using System.CommandLine;
using System.Text.Json;
using Chitchat.Cli.Common;
using Chitchat.Cli.Json;
using Chitchat.Wire;

namespace Chitchat.Cli.Decode;

/// <summary>
/// <c>chitchat decode</c>: decodes one chitchat datagram and prints it as JSON, or prints why it
/// is malformed (exit code 1). Handy to look at captured traffic or at the examples of docs/PROTOCOL.md.
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
            var (datagram, inputError, exitCode) = await ReadInputAsync(parseResult.GetValue(hex), parseResult.GetValue(file), cancellationToken).ConfigureAwait(false);
            if (datagram is null)
            {
                await Console.Error.WriteLineAsync($"error: {inputError}").ConfigureAwait(false);
                return exitCode;
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

    /// <summary>Reads the datagram; on failure, says why and with which exit code (2 when no input was given at all).</summary>
    private static async Task<(byte[]? Datagram, string? Error, int ExitCode)> ReadInputAsync(string? hex, FileInfo? file, CancellationToken cancellationToken)
    {
        if (hex is not null)
        {
            return DatagramInput.TryParseHex(hex, out var bytes, out var error) ? Ok(bytes) : Fail($"--hex: {error}");
        }

        if (file is not null)
        {
            try
            {
                return Ok(await File.ReadAllBytesAsync(file.FullName, cancellationToken).ConfigureAwait(false));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return Fail($"--file: cannot read {file.FullName}: {ex.Message}");
            }
        }

        if (!Console.IsInputRedirected)
        {
            return Fail("no input: give --hex HEX or --file PATH, or pipe the datagram (hex or raw bytes) to standard input.", ExitCodes.Usage);
        }

        using var stdin = Console.OpenStandardInput();
        using var buffer = new MemoryStream();
        await stdin.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (buffer.Length == 0)
        {
            return Fail("no input: standard input is empty.", ExitCodes.Usage);
        }

        return DatagramInput.TryInterpretStdin(buffer.ToArray(), out var datagram, out var stdinError)
            ? Ok(datagram)
            : Fail($"standard input: {stdinError}");

        static (byte[]?, string?, int) Ok(byte[] datagram) => (datagram, null, ExitCodes.Success);

        static (byte[]?, string?, int) Fail(string error, int exitCode = ExitCodes.Failure) => (null, error, exitCode);
    }
}
