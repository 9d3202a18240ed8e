using Microsoft.Extensions.Options;

namespace Chitchat.Extensions.Hosting;

/// <summary>
/// Validates the bound <see cref="ChitchatConfig"/> with the library's own rules
/// (<see cref="ChitchatConfig.Validate"/>), one failure per bad value, so that the host refuses to start with the
/// same messages a direct spawn would give.
/// </summary>
internal sealed class ChitchatConfigValidator : IValidateOptions<ChitchatConfig>
{
    private const string ItemPrefix = "- ";

    public ValidateOptionsResult Validate(string? name, ChitchatConfig options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException ex)
        {
            // Validate() lists one problem per line, each starting with "- ", after a heading line.
            var failures = ex.Message
                .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Where(line => line.StartsWith(ItemPrefix, StringComparison.Ordinal))
                .Select(line => "Chitchat: " + line[ItemPrefix.Length..])
                .ToList();
            return failures.Count > 0
                ? ValidateOptionsResult.Fail(failures)
                : ValidateOptionsResult.Fail("Chitchat: " + ex.Message);
        }
    }
}
