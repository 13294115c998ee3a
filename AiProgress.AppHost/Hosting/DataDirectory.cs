namespace AiProgress.AppHost.Hosting;

public static class DataDirectory
{
    /// <summary>One folder the AppHost owns for local servers' data (<c>AppHost:DataDirectory</c>, default .data/ in the repository).</summary>
    public static string Resolve(IDistributedApplicationBuilder builder) => Directory.CreateDirectory(
        builder.Configuration["AppHost:DataDirectory"] ?? Path.Combine(builder.AppHostDirectory, "..", ".data")).FullName;
}
