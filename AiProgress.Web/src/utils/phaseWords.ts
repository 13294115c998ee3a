import type { StalledReason } from '../api/types'
import { formatDuration } from './format'

/** "1st", "2nd", "3rd", "11th", "22nd". */
export function ordinal(n: number): string {
  const tens = n % 100
  const suffix = tens >= 11 && tens <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th'
  return `${n}${suffix}`
}

/** A wait in words a person reads at a glance: "about 20 s", "about 2 min". */
export function about(ms: number): string {
  if (ms < 1000) return 'a moment'
  if (ms < 90_000) return `about ${Math.max(1, Math.round(ms / 1000))} s`
  return `about ${Math.round(ms / 60_000)} min`
}

/** "about 8–12 s left", or one figure when the band is narrow. */
export function timeLeft(remaining: number | null, band: { low: number; high: number } | null): string | null {
  if (band && Math.round(band.high / 1000) > Math.round(band.low / 1000)) {
    return `about ${Math.round(band.low / 1000)}–${Math.round(band.high / 1000)} s left`
  }
  return remaining == null ? null : `${about(remaining)} left`
}

export function waiting(position: number | null, estimatedStart: number | null): string {
  const place = position ? ` — ${ordinal(position)} in line` : ''
  const start = estimatedStart != null ? `, starts in ${about(estimatedStart)}` : ''
  return `Waiting${place}${start}`
}

export const stalledWords: Record<StalledReason, string> = {
  worker_lost: 'The worker stopped — another one is taking over',
  llm_unavailable: 'The model server is unavailable — the job waits and goes on when it is back',
  retrying: 'The model server hiccupped — retrying…',
}

export const formatRange = (band: { low: number; high: number }) =>
  `${formatDuration(band.low)} – ${formatDuration(band.high)}`
