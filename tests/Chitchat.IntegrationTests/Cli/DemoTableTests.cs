using Chitchat.Cli.Demo;

namespace Chitchat.IntegrationTests.Cli;

/// <summary>The demo table's layout: it fits the terminal's width, abbreviating and then dropping columns.</summary>
public sealed class DemoTableTests
{
    private static readonly DemoRow[] s_rows =
    [
        new("node-0", 1_796_123_859, "127.0.0.1:51256", false, "self", 440, null, 1, 32),
        new("node-1", 1_796_123_859, "127.0.0.1:41436", false, "live", 325, 0.29, 2, 32),
        new("node-31", 1_796_123_859, "127.0.0.1:53445", true, "forgetting", 12_345, 7.5, 1, null),
        new("node-31", 1_796_123_863, "127.0.0.1:53445", false, "joining", 3, null, 1, 31),
    ];

    private static string[] Lines(DemoTableLayout layout) =>
        [layout.HeaderLine(), .. Enumerable.Range(0, layout.Cells.Count).Select(row => layout.RowLine(row))];

    [Fact]
    public void Fit_WideTerminal_ShowsEveryColumnSpelledOut()
    {
        var layout = DemoTable.Fit(s_rows, 32, 160);

        layout.Compact.Should().BeFalse();
        layout.Header.Should().Equal("node", "gen", "address", "process", "seen by node-0", "heartbeat", "phi", "keys", "sees live");
        Lines(layout).Should().OnlyContain(line => line.Length <= 160);
        layout.RowLine(2).Should().Contain("127.0.0.1:53445").And.Contain("crashed").And.Contain("forgetting");
    }

    [Fact]
    public void Fit_80Columns_AbbreviatesAndKeepsEveryColumnOnOneLine()
    {
        var layout = DemoTable.Fit(s_rows, 32, 80);

        layout.Compact.Should().BeTrue();
        layout.Header.Should().Equal("node", "gen", "port", "proc", "state", "hb", "phi", "keys", "live");
        Lines(layout).Should().OnlyContain(line => line.Length <= 80);
        layout.RowLine(2).Should().Contain(":53445").And.NotContain("127.0.0.1").And.Contain("down");
        layout.RowLine(3).Should().Contain("joining").And.Contain("31/32");
    }

    [Theory]
    [InlineData(60)]
    [InlineData(50)]
    [InlineData(40)]
    public void Fit_NarrowTerminal_DropsTheLeastUsefulColumnsFirst(int width)
    {
        var layout = DemoTable.Fit(s_rows, 32, width);

        Lines(layout).Should().OnlyContain(line => line.Length <= width);
        layout.Header.Should().Contain("node").And.Contain("state");
        layout.Header.Should().NotContain("keys").And.NotContain("live");
    }

    [Fact]
    public void Fit_NodeAndStateAlwaysShown_EvenWhenNothingFits()
    {
        var layout = DemoTable.Fit(s_rows, 32, 10);

        layout.Header.Should().Equal("node", "state");
    }

    [Fact]
    public void PlainTable_RedirectedOutput_UsesTheWideLayoutWithoutTrailingSpaces()
    {
        var lines = DemoFormat.PlainTable(s_rows, 32).ToList();

        lines.Should().HaveCount(5);
        lines[0].Should().Contain("seen by node-0");
        lines.Should().OnlyContain(line => line == line.TrimEnd());
    }

    [Fact]
    public void ChooseRows_ShortTerminal_KeepsTheNodesThatAreNotLiveAndTheTableOrder()
    {
        var rows = Enumerable.Range(0, 10)
            .Select(i => new DemoRow($"node-{i}", 1, $"127.0.0.1:{1000 + i}", i == 9, i == 0 ? "self" : i == 9 ? "dead" : i == 5 ? "joining" : "live", 1, 0.1, 1, 10))
            .ToList();

        LiveDemoView.ChooseRows(rows, 4).Should().Equal(0, 1, 5, 9);
        LiveDemoView.ChooseRows(rows, 20).Should().Equal(Enumerable.Range(0, 10));
    }
}
