using Microsoft.Playwright;

namespace AiProgress.Tests.WholeSystem;

/// <summary>
/// The Vue app in Debian's headless Chromium against the whole system the AppHost started: what a person sees.
/// Screenshots go to TestResults/screenshots (the README shows one).
/// </summary>
[Collection(AspireSystemCollection.Name)]
public class BrowserEndToEndTests(AspireSystemFixture system) : IAsyncLifetime
{
    private static readonly string ScreenshotDirectory = Path.Combine(RepositoryPaths.Root, "AiProgress.Tests", "TestResults", "screenshots");
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private IPage _page = null!;

    public async Task InitializeAsync()
    {
        // Never let Playwright fetch a browser of its own: the system's Chromium is the one under test.
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
        });
        _page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1100, Height = 900 } });
        _page.SetDefaultTimeout(30_000);
        Directory.CreateDirectory(ScreenshotDirectory);
    }

    [Fact]
    public async Task A_prompt_becomes_a_live_job_that_survives_a_reload_and_completes_with_its_text()
    {
        await _page.GotoAsync(system.WebUrl.ToString());
        await Assertions.Expect(_page.GetByTestId("model-select")).ToContainTextAsync("stories260K");
        await _page.GetByTestId("prompt-input").FillAsync("Once upon a time, a little dragon");
        await _page.GetByTestId("max-tokens-input").FillAsync("240");
        await _page.GetByTestId("submit-button").ClickAsync();

        var state = _page.GetByTestId("job-state");
        await Assertions.Expect(state).ToHaveAttributeAsync("data-state", "processing");
        await WaitForTokensAsync(atLeast: 20);
        var percentBefore = await PercentAsync();
        var tokensBefore = await TokensAsync();
        await Task.Delay(1500);
        Assert.True(await TokensAsync() > tokensBefore, "tokens rise while the job runs");
        Assert.True(await PercentAsync() > percentBefore, "the bar moves");
        await Assertions.Expect(_page.GetByTestId("status-line")).ToContainTextAsync("tokens/sec");
        await _page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, "generating.png"), FullPage = true });

        var textBeforeReload = await _page.GetByTestId("generated-text").InnerTextAsync();
        Assert.Contains("job=", _page.Url);
        await _page.ReloadAsync();
        await Assertions.Expect(state).ToHaveAttributeAsync("data-state", "processing");
        await Assertions.Expect(_page.GetByTestId("generated-text")).ToContainTextAsync(textBeforeReload.Trim()[..Math.Min(40, textBeforeReload.Trim().Length)]);

        await Assertions.Expect(state).ToHaveAttributeAsync("data-state", "completed", new() { Timeout = 30_000 });
        await Assertions.Expect(_page.GetByTestId("progress-bar")).ToHaveAttributeAsync("aria-valuenow", "100");
        var text = await _page.GetByTestId("generated-text").InnerTextAsync();
        Assert.True(text.Length > textBeforeReload.Length, "the text went on after the reload");
        Assert.StartsWith(textBeforeReload.Trim(), text.Trim());
        await Assertions.Expect(_page.GetByTestId("metric-tokens")).ToHaveTextAsync("240");
        await _page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, "completed.png"), FullPage = true });
    }

    [Fact]
    public async Task A_running_job_can_be_cancelled_from_the_page()
    {
        await _page.GotoAsync(system.WebUrl.ToString());
        await _page.GetByTestId("prompt-input").FillAsync("A long story about a cat");
        await _page.GetByTestId("max-tokens-input").FillAsync("2000");
        await _page.GetByTestId("submit-button").ClickAsync();
        await Assertions.Expect(_page.GetByTestId("job-state")).ToHaveAttributeAsync("data-state", "processing");
        await WaitForTokensAsync(atLeast: 5);

        await _page.GetByTestId("cancel-button").ClickAsync();

        await Assertions.Expect(_page.GetByTestId("job-state")).ToHaveAttributeAsync("data-state", "cancelled");
        var tokensAtCancel = await TokensAsync();
        await Task.Delay(1000);
        Assert.Equal(tokensAtCancel, await TokensAsync());
        await Assertions.Expect(_page.GetByTestId("recent-jobs")).ToContainTextAsync("cancelled", new() { IgnoreCase = true });
        await _page.SetViewportSizeAsync(380, 800);
        await _page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, "cancelled-phone.png"), FullPage = true });
    }

    private async Task WaitForTokensAsync(int atLeast)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await TokensAsync() < atLeast)
        {
            Assert.True(DateTime.UtcNow < deadline, $"fewer than {atLeast} tokens after 30 s");
            await Task.Delay(100);
        }
    }

    private async Task<int> TokensAsync() =>
        int.TryParse((await _page.GetByTestId("metric-tokens").InnerTextAsync()).Replace(",", "").Trim(), out var tokens) ? tokens : 0;

    private async Task<int> PercentAsync() =>
        int.Parse(await _page.GetByTestId("progress-bar").GetAttributeAsync("aria-valuenow") ?? "0");

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
