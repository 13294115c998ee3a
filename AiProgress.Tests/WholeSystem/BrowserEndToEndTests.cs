using System.Text.RegularExpressions;
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
        const string prompt = "Once upon a time, a shy little dragon";
        await DecodeGreedilyAsync();
        await _page.GotoAsync(system.WebUrl.ToString());
        await Assertions.Expect(_page.GetByTestId("model-select")).ToContainTextAsync("stories260K");
        await _page.GetByTestId("prompt-input").FillAsync(prompt);
        await _page.GetByTestId("max-tokens-input").FillAsync("320");
        await _page.GetByTestId("submit-button").ClickAsync();

        var state = _page.GetByTestId("job-state");
        await Assertions.Expect(state).ToHaveAttributeAsync("data-state", "processing");
        await WaitForTokensAsync(atLeast: 20);
        // The reload comes first, while the story surely runs; the other checks of a running job follow it.
        var textBeforeReload = await _page.GetByTestId("generated-text").InnerTextAsync();
        Assert.Contains("job=", _page.Url);
        await _page.ReloadAsync();
        await Assertions.Expect(state).ToHaveAttributeAsync("data-state", "processing");
        await Assertions.Expect(_page.GetByTestId("generated-text")).ToContainTextAsync(textBeforeReload.Trim()[..Math.Min(40, textBeforeReload.Trim().Length)]);
        var percentBefore = await PercentAsync();
        var tokensBefore = await TokensAsync();
        await Task.Delay(1000);
        Assert.True(await TokensAsync() > tokensBefore, "tokens rise while the job runs");
        Assert.True(await PercentAsync() > percentBefore, "the bar moves");

        await Assertions.Expect(_page.GetByTestId("status-line")).ToContainTextAsync("tokens/sec");
        await Assertions.Expect(_page).ToHaveTitleAsync(new Regex(@"^\d+ % · AiProgress$"));
        // A completion model's text follows its prompt, which is shown (dimmed) before it.
        await Assertions.Expect(_page.GetByTestId("prompt-text")).ToHaveTextAsync(prompt);
        await AssertIconsAreSvgAsync();
        await AssertRecentListMatchesLiveViewAsync();
        await ScreenshotAsync("generating");

        await Assertions.Expect(state).ToHaveAttributeAsync("data-state", "completed", new() { Timeout = 30_000 });
        await Assertions.Expect(_page).ToHaveTitleAsync("✓ Done · AiProgress");
        await Assertions.Expect(_page.GetByTestId("progress-bar")).ToHaveAttributeAsync("aria-valuenow", "100");
        var text = await _page.GetByTestId("generated-text").InnerTextAsync();
        Assert.True(text.Length > textBeforeReload.Length, "the text went on after the reload");
        Assert.StartsWith(textBeforeReload.Trim(), text.Trim());
        // The card and the status line agree on the story's length (greedy, this prompt's reaches the limit).
        var tokens = int.Parse((await _page.GetByTestId("metric-tokens").InnerTextAsync()).Replace(",", "").Trim());
        Assert.InRange(tokens, 20, 320);
        await Assertions.Expect(_page.GetByTestId("status-line")).ToContainTextAsync($"Done: {tokens} tokens");

        var download = await _page.RunAndWaitForDownloadAsync(() => _page.GetByTestId("download-txt").ClickAsync());
        Assert.EndsWith(".txt", download.SuggestedFilename);
        var saved = await File.ReadAllTextAsync(await download.PathAsync());
        Assert.StartsWith(prompt, saved);
        Assert.EndsWith(text.Trim(), saved.Trim());
        await Assertions.Expect(_page.GetByTestId("again-button")).ToBeVisibleAsync();
        await ScreenshotsInEveryThemeAndWidthAsync("completed");

        var firstJobUrl = _page.Url;
        await _page.GetByTestId("again-button").ClickAsync();
        await Assertions.Expect(_page).Not.ToHaveURLAsync(new Regex(Regex.Escape(firstJobUrl) + "$"));
        await Assertions.Expect(_page.GetByTestId("prompt-text")).ToHaveTextAsync(prompt);
        await Assertions.Expect(state).ToHaveAttributeAsync("data-state", new Regex("queued|processing|completed"));
    }

    [Fact]
    public async Task Hostile_text_in_the_prompt_and_in_a_chat_models_markdown_stays_inert_text()
    {
        const string hostilePrompt = "<img src=x onerror=\"window.__xss=1\"> Once upon a time";
        await _page.GotoAsync(system.WebUrl.ToString());
        await _page.GetByTestId("prompt-input").FillAsync(hostilePrompt);
        await _page.GetByTestId("max-tokens-input").FillAsync("30");
        await _page.GetByTestId("submit-button").ClickAsync();
        await Assertions.Expect(_page.GetByTestId("job-state")).ToHaveAttributeAsync("data-state", "completed", new() { Timeout = 30_000 });
        await Assertions.Expect(_page.GetByTestId("prompt-text")).ToHaveTextAsync(hostilePrompt);
        await AssertInertAsync();

        // The local model writes TinyStories, never Markdown: a chat model's stream is played to the real page.
        const string fakeJob = "0190b6a1-7c2e-7d3f-9a4b-5c6d7e8f9a0b";
        const string markdown = "# Heading\n\nSome **bold** text.\n\n<img src=x onerror=\"window.__xss=2\">\n\n" +
            "[click](javascript:window.__xss=3)\n\n<script>window.__xss=4</script>\n\n```html\n<b onclick=\"window.__xss=5\">never closed";
        var text = System.Text.Json.JsonSerializer.Serialize(new { offset = 0, delta = markdown });
        await _page.RouteAsync($"**/api/v1/ai/generation/{fakeJob}/progress", route => route.FulfillAsync(new()
        {
            Status = 200,
            ContentType = "text/event-stream",
            Body = "retry: 60000\n\n" +
                "event: progress\nid: 1\ndata: {\"status\":\"processing\",\"progress\":50,\"current_tokens\":40,\"tokens_per_second\":20,\"elapsed_time\":2000,\"estimated_remaining\":2000,\"timestamp\":1}\n\n" +
                $"event: text\nid: 2\ndata: {text}\n\n" +
                "event: complete\nid: 3\ndata: {\"status\":\"completed\",\"total_tokens\":90,\"prompt_tokens\":10,\"completion_tokens\":80,\"tokens_per_second\":20,\"elapsed_time\":4000}\n\n",
        }));
        await _page.RouteAsync(new Regex(@"/api/v1/ai/generation\?"), async route =>
        {
            var items = new[] { new { job_id = fakeJob, status = "completed", model = "qwen2.5:0.5b", progress_percentage = 100, current_tokens = 80, tokens_per_second = 20, elapsed_time = 4000, created_at = DateTime.UtcNow } };
            await route.FulfillAsync(new() { Status = 200, ContentType = "application/json", Body = System.Text.Json.JsonSerializer.Serialize(new { items }) });
        });
        await _page.GotoAsync($"{system.WebUrl}?job={fakeJob}");
        await Assertions.Expect(_page.GetByTestId("job-state")).ToHaveAttributeAsync("data-state", "completed");
        var output = _page.Locator("[data-kind='chat']");
        await Assertions.Expect(output.Locator("h1")).ToHaveTextAsync("Heading");
        await Assertions.Expect(output.Locator("strong")).ToHaveTextAsync("bold");
        await Assertions.Expect(output).ToContainTextAsync("<img src=x onerror=\"window.__xss=2\">");
        await Assertions.Expect(output).ToContainTextAsync("[click](javascript:window.__xss=3)");
        await Assertions.Expect(output.Locator("pre code")).ToContainTextAsync("<b onclick=\"window.__xss=5\">never closed");
        await AssertInertAsync();
        await ScreenshotAsync("markdown-desktop-dark", dark: true);
    }

    /// <summary>
    /// Sends the page's jobs with temperature 0. A sampled story may end by itself after a few dozen tokens, before the
    /// reload; greedy decoding writes the same one every run (this prompt's goes past 320 tokens: ten seconds at the
    /// demo rate, time enough for the checks of a running job on a loaded machine).
    /// </summary>
    private Task DecodeGreedilyAsync() => _page.RouteAsync("**/api/v1/ai/generation", async route =>
    {
        if (route.Request.Method != "POST" || route.Request.PostData is not { } body)
        {
            await route.ContinueAsync();
            return;
        }
        var json = System.Text.Json.Nodes.JsonNode.Parse(body)!.AsObject();
        json["temperature"] = 0;
        await route.ContinueAsync(new() { PostData = System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()) });
    });

    private async Task AssertInertAsync()
    {
        var live = await _page.EvaluateAsync<int>(
            "() => document.querySelectorAll('[aria-label=\"Generated text\"] :is(img, script, iframe, b, a[href^=\"javascript\"], [onerror], [onclick])').length");
        Assert.Equal(0, live);
        Assert.True(await _page.EvaluateAsync<bool>("() => window.__xss === undefined"), "no hostile script ran");
    }

    private async Task AssertIconsAreSvgAsync()
    {
        Assert.Equal("svg", await _page.GetByTestId("logo").EvaluateAsync<string>("e => e.tagName"));
        Assert.Equal(4, await _page.Locator(".metrics dt svg").CountAsync());
        Assert.Equal("svg", await _page.GetByTestId("status-icon").EvaluateAsync<string>("e => e.tagName"));
        Assert.NotEmpty(await _page.GetByTestId("status-icon").GetAttributeAsync("aria-label") ?? "");
        // Where no emoji font is installed (this Chromium), an emoji is an empty box.
        Assert.False(await _page.EvaluateAsync<bool>("() => /\\p{Extended_Pictographic}/u.test(document.body.innerText)"), "no emoji on the page");
    }

    private async Task AssertRecentListMatchesLiveViewAsync()
    {
        // Both read in one turn of the page: the list shows the live view's numbers, not an older poll.
        var (live, listed) = await WaitForAsync(async () =>
        {
            var pair = await _page.EvaluateAsync<string[]>(@"() => {
                const tokens = document.querySelector('[data-testid=metric-tokens]').textContent.trim()
                const percent = document.querySelector('[data-testid=progress-percent]').textContent.trim()
                const row = document.querySelector('[data-testid=recent-job][aria-current], [data-testid=recent-job] a[aria-current]')
                return [`${tokens} tok · ${percent}`, row ? row.textContent : '']
            }");
            return (pair[0], pair[1]);
        }, p => p.Item2.Contains(p.Item1, StringComparison.Ordinal));
        Assert.Contains(live, listed);
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > deadline) return value;
            await Task.Delay(100);
        }
    }

    private async Task ScreenshotsInEveryThemeAndWidthAsync(string name)
    {
        foreach (var (suffix, width, height) in new[] { ("desktop", 1100, 900), ("phone", 390, 844) })
        {
            await _page.SetViewportSizeAsync(width, height);
            await ScreenshotAsync($"{name}-{suffix}-light", dark: false);
            await ScreenshotAsync($"{name}-{suffix}-dark", dark: true);
        }

        await _page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Light });
        await _page.SetViewportSizeAsync(1100, 900);
    }

    private async Task ScreenshotAsync(string name, bool dark = false)
    {
        await _page.EmulateMediaAsync(new() { ColorScheme = dark ? ColorScheme.Dark : ColorScheme.Light });
        Assert.Equal(dark, await _page.EvaluateAsync<bool>("() => matchMedia('(prefers-color-scheme: dark)').matches"));
        await _page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, $"{name}.png"), FullPage = true });
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
        await Assertions.Expect(_page).ToHaveTitleAsync("Cancelled · AiProgress");
        await _page.SetViewportSizeAsync(390, 844);
        await ScreenshotAsync("cancelled-phone-dark", dark: true);
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
