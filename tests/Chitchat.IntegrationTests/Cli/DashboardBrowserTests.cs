using System.Diagnostics;
using System.Net;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using Xunit.Abstractions;

namespace Chitchat.IntegrationTests.Cli;

/// <summary>
/// The dashboard of <c>chitchat node</c> in a real browser: Debian's Chromium, headless, driven through WebDriver
/// (Debian's chromedriver), on 127.0.0.1 only. .ci/run installs both packages.
/// </summary>
public sealed class DashboardBrowserTests(ITestOutputHelper output)
{
    private const string ChromiumPath = "/usr/bin/chromium";
    private const string ChromeDriverPath = "/usr/bin/chromedriver";
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Dashboard_ThreeNodes_ListsThemShowsAKillAndAKeyWithoutReload()
    {
        await using var cluster = await NodeProcessCluster.StartAsync(3, "127.0.0.1", output);
        using var driver = StartBrowser();
        var stopwatch = Stopwatch.StartNew();

        driver.Navigate().GoToUrl($"http://{cluster[0].Address}/ui/");
        ((IJavaScriptExecutor)driver).ExecuteScript("window.chitchatTestMarker = 'same page';");

        // The page lists the three nodes, live, from the server-sent events.
        await WaitUntilAsync(driver, () => Rows(driver, "live").Count == 3, "the page lists 3 live members");
        driver.FindElement(By.Id("connection")).Text.Should().Be("live");
        driver.FindElement(By.Id("total-members")).Text.Should().Be("3");
        var names = Read(() => driver.FindElements(By.CssSelector("#members tbody th[scope=row]")).Select(th => th.Text).ToList());
        names.Should().HaveCount(3).And.Contain(n => n.StartsWith("node_0", StringComparison.Ordinal))
            .And.Contain("node_1").And.Contain("node_2");
        driver.FindElement(By.Id("set-key")).Displayed.Should().BeFalse("the dashboard is read-only by default");

        // A key set on node_1 arrives through gossip: in the change stream and in the key browser.
        var (status, _) = await cluster[1].GetAsync("/set_kv/?key=dashboard.greeting&value=hello%20browser");
        status.Should().Be(HttpStatusCode.OK);
        await WaitUntilAsync(
            driver,
            () => driver.FindElements(By.CssSelector("#events li[data-kind=KeySet]")).Any(li => li.Text.Contains("node_1@", StringComparison.Ordinal) && li.Text.Contains("dashboard.greeting = hello browser", StringComparison.Ordinal)),
            "the change stream shows the key");
        // With the keyboard: the member's "browse" button, which keeps the focus across the live updates.
        var member = $"node_1@{cluster[1].Generation}";
        await WaitUntilAsync(
            driver,
            () =>
            {
                driver.FindElement(By.CssSelector($"#members tbody tr[data-member='{member}'] button")).SendKeys(Keys.Enter);
                return driver.FindElement(By.Id("key-member")).GetAttribute("value") == member;
            },
            "the browse button selects node_1");
        driver.SwitchTo().ActiveElement().GetAttribute("id").Should().Be("key-prefix");
        driver.SwitchTo().ActiveElement().SendKeys("dashboard.");
        await WaitUntilAsync(
            driver,
            () => driver.FindElements(By.CssSelector("#keys tbody tr[data-key='dashboard.greeting'] td")).FirstOrDefault()?.Text == "hello browser",
            "the key browser shows node_1's key");

        // node_2 is killed (SIGKILL): it turns dead on the open page.
        cluster[2].Process.Kill();
        await WaitUntilAsync(
            driver,
            () => driver.FindElements(By.CssSelector("#members tbody tr")).Any(tr =>
                tr.GetAttribute("data-member")?.StartsWith("node_2@", StringComparison.Ordinal) == true
                && tr.GetAttribute("data-state") is "dead" or "scheduled for deletion"),
            "node_2 is shown dead");
        Read(() => driver.FindElements(By.CssSelector("#events li[data-kind=MemberDead]")).Any(li => li.Text.Contains("node_2@", StringComparison.Ordinal)))
            .Should().BeTrue("the change stream shows node_2's death");
        driver.FindElement(By.Id("total-dead")).Text.Should().NotBe("0");

        // All of it on the page first loaded: no reload happened.
        ((IJavaScriptExecutor)driver).ExecuteScript("return window.chitchatTestMarker;").Should().Be("same page");
        output.WriteLine($"browser scenario took {stopwatch.Elapsed.TotalSeconds:0.0} s");

        // A test artifact: under $CHITCHAT_TEST_ARTIFACTS (.ci/run sets it to TestResults/ci/artifacts), else next to the tests.
        var artifacts = Environment.GetEnvironmentVariable("CHITCHAT_TEST_ARTIFACTS") is { Length: > 0 } directory
            ? directory
            : Path.Combine(AppContext.BaseDirectory, "artifacts");
        var screenshot = Path.Combine(artifacts, "dashboard.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        ((ITakesScreenshot)driver).GetScreenshot().SaveAsFile(screenshot);
        new FileInfo(screenshot).Length.Should().BeGreaterThan(10_000);
        output.WriteLine($"screenshot: {screenshot}");
    }

    [Fact]
    public async Task Dashboard_UiAllowWrites_SetsAnOwnKeyFromThePage()
    {
        await using var node = await NodeProcess.StartAsync("node_w", (ulong)DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ["--ui_allow_writes"]);
        using var driver = StartBrowser();

        driver.Navigate().GoToUrl($"http://{node.Address}/ui/");
        await WaitUntilAsync(driver, () => driver.FindElement(By.Id("set-key")).Displayed, "the write form is shown");
        driver.FindElement(By.Id("set-key-name")).SendKeys("from.page");
        driver.FindElement(By.Id("set-key-value")).SendKeys("typed");
        driver.FindElement(By.CssSelector("#set-key button[type=submit]")).Click();

        await WaitUntilAsync(
            driver,
            () => driver.FindElements(By.CssSelector("#keys tbody tr[data-key='from.page'] td")).FirstOrDefault()?.Text == "typed",
            "the key set from the page is listed");
        var state = await node.TryGetStateAsync();
        state!.Json.Should().Contain("from.page").And.Contain("typed");
    }

    private static IReadOnlyList<IWebElement> Rows(IWebDriver driver, string state) =>
        driver.FindElements(By.CssSelector($"#members tbody tr[data-state='{state}']"));

    private static ChromeDriver StartBrowser()
    {
        File.Exists(ChromiumPath).Should().BeTrue($"the browser tests need Debian's Chromium at {ChromiumPath} (apt-get install chromium chromium-driver)");
        File.Exists(ChromeDriverPath).Should().BeTrue($"the browser tests need chromedriver at {ChromeDriverPath} (apt-get install chromium-driver)");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromeDriverPath)!, Path.GetFileName(ChromeDriverPath));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = ChromiumPath };
        options.AddArguments(
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-extensions",
            "--no-first-run",
            "--window-size=1280,1100");
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(30));
    }

    // Reads elements of a table the page may re-render between two calls: a stale element means "read again".
    private static T Read<T>(Func<T> read)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return read();
            }
            catch (StaleElementReferenceException) when (attempt < 50)
            {
            }
        }
    }

    private static async Task WaitUntilAsync(IWebDriver driver, Func<bool> condition, string what)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (condition())
                {
                    return;
                }
            }
            catch (StaleElementReferenceException)
            {
                // The page re-rendered the table between two reads: look again.
            }

            if (stopwatch.Elapsed > s_timeout)
            {
                throw new Xunit.Sdk.XunitException($"timed out after {s_timeout.TotalSeconds} s waiting until {what}; the page shows:\n{driver.FindElement(By.TagName("main")).Text}");
            }

            await Task.Delay(100);
        }
    }
}
