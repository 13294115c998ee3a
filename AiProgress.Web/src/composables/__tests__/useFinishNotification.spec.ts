import { afterEach, describe, expect, it, vi } from 'vitest'
import { useFinishNotification } from '../useFinishNotification'

function fakeNotification(permission: NotificationPermission, answer: NotificationPermission = 'granted') {
  const shown: { title: string; options?: NotificationOptions }[] = []
  class Fake {
    static permission = permission
    static requestPermission = vi.fn(async () => (Fake.permission = answer))
    onclick: (() => void) | null = null
    constructor(title: string, options?: NotificationOptions) {
      shown.push({ title, options })
    }
    close() {}
  }
  return { api: Fake as unknown as typeof Notification, shown, Fake }
}

function setVisibility(state: DocumentVisibilityState) {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state })
}

afterEach(() => {
  localStorage.clear()
  setVisibility('visible')
})

describe('useFinishNotification', () => {
  it('is off until turned on, asks permission then, and notifies only a hidden tab', async () => {
    const { api, shown, Fake } = fakeNotification('default')
    const notifications = useFinishNotification({ notification: api })
    setVisibility('hidden')
    expect(notifications.enabled.value).toBe(false)
    expect(notifications.notify('Done', 'body')).toBe(false)

    await notifications.toggle()
    expect(Fake.requestPermission).toHaveBeenCalledOnce()
    expect(notifications.enabled.value).toBe(true)
    expect(notifications.notify('✓ Done · AiProgress', '5 tokens')).toBe(true)
    expect(shown).toEqual([{ title: '✓ Done · AiProgress', options: { body: '5 tokens', tag: 'aiprogress-job' } }])

    setVisibility('visible')
    expect(notifications.notify('Done', 'body')).toBe(false)
    expect(useFinishNotification({ notification: api }).enabled.value).toBe(true)
    await notifications.toggle()
    expect(useFinishNotification({ notification: api }).enabled.value).toBe(false)
  })

  it('stays off when the browser denies permission', async () => {
    const { api } = fakeNotification('default', 'denied')
    const notifications = useFinishNotification({ notification: api })
    await notifications.toggle()
    expect(notifications.enabled.value).toBe(false)
    expect(notifications.denied.value).toBe(true)
  })
})
