namespace Chitchat.Cli.Node;

/// <summary>
/// Makes the default node id <c>server:{public_addr}-{readable random id}</c>, like chitchat-test, whose
/// suffix (e.g. <c>brave-amber-otter-of-wisdom</c>) tells nodes apart at a glance in logs and JSON.
/// </summary>
internal static class NodeIdGenerator
{
    private static readonly string[] s_adjectives =
    [
        "agile", "bold", "brave", "bright", "calm", "clever", "curious", "daring", "eager", "fancy", "gentle", "happy",
        "honest", "jolly", "keen", "kind", "lively", "lucky", "merry", "mighty", "nimble", "noble", "patient", "proud",
        "quick", "quiet", "rapid", "shiny", "silent", "steady", "swift", "witty",
    ];

    private static readonly string[] s_colors =
    [
        "amber", "azure", "beige", "black", "blue", "bronze", "coral", "crimson", "cyan", "golden", "gray", "green",
        "indigo", "ivory", "jade", "lemon", "lilac", "magenta", "maroon", "mint", "navy", "olive", "orange", "pink",
        "plum", "purple", "red", "ruby", "silver", "teal", "violet", "white",
    ];

    private static readonly string[] s_animals =
    [
        "badger", "bear", "beaver", "bison", "camel", "crane", "crow", "dolphin", "eagle", "falcon", "ferret", "fox",
        "gecko", "heron", "ibis", "jaguar", "koala", "lemur", "lynx", "marmot", "moose", "otter", "owl", "panda",
        "parrot", "puffin", "raven", "salmon", "seal", "squid", "tiger", "walrus",
    ];

    private static readonly string[] s_virtues =
    [
        "chance", "courage", "delight", "fame", "fortune", "glory", "grace", "honor", "hope", "joy", "justice", "luck",
        "mercy", "peace", "pride", "wisdom",
    ];

    /// <summary>Returns a readable random id such as <c>brave-amber-otter-of-wisdom</c>.</summary>
    public static string ReadableId(Random? random = null)
    {
        random ??= Random.Shared;
        return $"{Pick(s_adjectives, random)}-{Pick(s_colors, random)}-{Pick(s_animals, random)}-of-{Pick(s_virtues, random)}";
    }

    /// <summary>Returns the default node id for a node advertising <paramref name="publicAddr"/>.</summary>
    public static string DefaultNodeId(string publicAddr) => $"server:{publicAddr}-{ReadableId()}";

    private static string Pick(string[] words, Random random) => words[random.Next(words.Length)];
}
