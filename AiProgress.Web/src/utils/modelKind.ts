export type ModelKind = 'completion' | 'chat'

// Completion-style models continue the prompt's text; chat models answer it, usually in Markdown. The
// Ollama API tells neither apart reliably (a GGUF without a chat template still answers /api/chat), so the
// rule goes by name: TinyStories models ("stories260K") and Ollama's base/text tags ("llama2:text",
// "…-base") are completion models; everything else (qwen2.5, llama3, mistral, …) is a chat model.
const completionNames = /stories|(^|[:\-_/])(base|text)([:\-_/.]|$)/i

/** An unknown model is shown as plain text: never wrong, at worst unformatted. */
export function modelKind(model: string | null | undefined): ModelKind {
  if (!model) return 'completion'
  return completionNames.test(model) ? 'completion' : 'chat'
}
