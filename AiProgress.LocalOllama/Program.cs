using AiProgress.LocalOllama;

var app = LocalOllamaApp.Build(args);
app.Run();

public partial class Program;
