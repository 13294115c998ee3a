using AiProgress.Jobs.Data;
using AiProgress.Worker;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddGenerationWorker();

var app = builder.Build();
app.MapDefaultEndpoints();
await app.Services.MigrateJobsDatabaseAsync();
await app.RunAsync();
