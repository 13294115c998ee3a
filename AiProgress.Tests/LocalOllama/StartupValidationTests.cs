using System.Diagnostics;
using AiProgress.LocalOllama;
using Microsoft.Extensions.Options;

namespace AiProgress.Tests.LocalOllama;

/// <summary>A bad model file stops start-up at once with a message that names the file and the problem.</summary>
/// <remarks>In the server collection so that these hosts never start beside the shared ones.</remarks>
[Collection(LocalOllamaCollection.Name)]
public sealed class StartupValidationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("localollama-tests-").FullName;

    [Fact]
    public async Task AMissingModelFile_FailsStartupWithAClearMessage()
    {
        var path = Path.Combine(_folder, "absent.gguf");

        var error = await StartupFailure<OptionsValidationException>(("LocalOllama:Models:0:Path", path));

        Assert.Contains(path, error.Message);
        Assert.Contains("does not exist", error.Message);
        Assert.Contains("'absent'", error.Message);
    }

    [Theory]
    [InlineData("this is a text file, not a model")]
    [InlineData("")]
    [InlineData("GGU")]
    public async Task AFileThatIsNotGguf_FailsStartupWithAClearMessage(string content)
    {
        var path = Path.Combine(_folder, "notes.gguf");
        await File.WriteAllTextAsync(path, content);

        var error = await StartupFailure<OptionsValidationException>(("LocalOllama:Models:0:Name", "notes"), ("LocalOllama:Models:0:Path", path));

        Assert.Contains(path, error.Message);
        Assert.Contains("not a GGUF model", error.Message);
    }

    [Fact]
    public async Task AGgufHeaderWithNothingBehindIt_FailsStartupWhenLlamaCppRejectsIt()
    {
        var path = Path.Combine(_folder, "broken.gguf");
        await File.WriteAllBytesAsync(path, [.. "GGUF"u8, 3, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3]);

        var error = await StartupFailure<InvalidOperationException>(("LocalOllama:Models:0:Path", path));

        Assert.Contains(path, error.Message);
        Assert.Contains("could not load", error.Message);
    }

    [Fact]
    public async Task TheSameModelNameTwice_FailsStartup()
    {
        var error = await StartupFailure<OptionsValidationException>(
            ("LocalOllama:Models:0:Name", "story"), ("LocalOllama:Models:0:Path", TestModel.Path),
            ("LocalOllama:Models:1:Name", "story:latest"), ("LocalOllama:Models:1:Path", TestModel.Path));

        Assert.Contains("'story' is configured more than once", error.Message);
    }

    [Fact]
    public async Task AGoodModelFile_Starts()
    {
        await using var app = LocalOllamaApp.Build(Args(("LocalOllama:Models:0:Path", TestModel.Path)));
        await app.StartAsync().WaitAsync(LocalOllamaServer.Timeout);
        await app.StopAsync().WaitAsync(LocalOllamaServer.Timeout);
    }

    private static async Task<TException> StartupFailure<TException>(params (string Key, string Value)[] settings) where TException : Exception
    {
        await using var app = LocalOllamaApp.Build(Args(settings));
        var started = Stopwatch.GetTimestamp();
        var error = await Assert.ThrowsAsync<TException>(() => app.StartAsync()).WaitAsync(LocalOllamaServer.Timeout);
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(10), "start-up should fail fast");
        return error;
    }

    private static string[] Args(params (string Key, string Value)[] settings) =>
    [
        "--urls", "http://127.0.0.1:0",
        "--Logging:LogLevel:Default", "None",
        .. settings.SelectMany(s => new[] { "--" + s.Key, s.Value }),
    ];

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
