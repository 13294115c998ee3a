using AiProgress.LocalOllama.Api.Contracts;

namespace AiProgress.LocalOllama.Api;

/// <summary>
/// The served models have no chat template, so a chat becomes plain text: system text and a blank
/// line, then the other messages one per line. A trailing assistant message is a prefill: it is
/// appended as is and the model continues it, which lets a caller resume a half-written answer.
/// </summary>
internal static class ChatPrompt
{
    public static string Build(IReadOnlyList<ChatMessage> messages)
    {
        var prefill = messages.Count > 0 && IsRole(messages[^1], "assistant") ? messages[^1].Content ?? "" : null;
        var conversation = prefill is null ? messages : messages.Take(messages.Count - 1).ToList();

        var system = string.Join("\n", conversation.Where(m => IsRole(m, "system")).Select(m => m.Content ?? ""));
        var turns = string.Join("\n", conversation.Where(m => !IsRole(m, "system")).Select(m => m.Content ?? ""));

        var prompt = system.Length > 0 ? system + "\n\n" + turns : turns;
        return prompt + prefill;
    }

    /// <summary>/api/generate's system field, when raw is not set.</summary>
    public static string WithSystem(string? system, string prompt) =>
        string.IsNullOrEmpty(system) ? prompt : system + "\n\n" + prompt;

    private static bool IsRole(ChatMessage message, string role) =>
        string.Equals(message.Role, role, StringComparison.OrdinalIgnoreCase);
}
