using AiProgress.Api;
using AiProgress.Api.Clients;
using AiProgress.Api.Generation;
using AiProgress.Api.Http;
using AiProgress.Api.Models;
using AiProgress.Jobs.Data;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddGenerationApi();

var app = builder.Build();
app.UseHttpHardening();
app.UseCors(ApiServiceExtensions.WebCorsPolicy);
app.UseClientIdentity();
app.UseRateLimiter();

app.MapOpenApi();
if (app.Environment.IsDevelopment())
{
    app.MapScalarApiReference();
}

app.MapDefaultEndpoints();
app.MapGenerationApi();
app.MapModelsApi();

await app.Services.MigrateJobsDatabaseAsync();
await app.RunAsync();

public partial class Program;
