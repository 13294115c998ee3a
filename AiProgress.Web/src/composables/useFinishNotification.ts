import { shallowRef } from 'vue'

const key = 'aiprogress.notify'

export interface UseFinishNotificationOptions {
  /** The Notification constructor; the browser's by default (absent in some browsers and in jsdom). */
  notification?: typeof Notification
}

/**
 * An opt-in desktop notification when a job ends while the tab is hidden. Off until the person turns it
 * on (which asks the browser's permission); the choice is remembered.
 */
export function useFinishNotification(options: UseFinishNotificationOptions = {}) {
  const api = options.notification ?? (typeof Notification === 'undefined' ? undefined : Notification)
  const supported = !!api
  const enabled = shallowRef(supported && api!.permission === 'granted' && localStorage.getItem(key) === 'on')
  const denied = shallowRef(supported && api!.permission === 'denied')

  async function toggle() {
    if (!api) return
    if (enabled.value) {
      enabled.value = false
      localStorage.removeItem(key)
      return
    }
    const permission = api.permission === 'default' ? await api.requestPermission() : api.permission
    denied.value = permission === 'denied'
    enabled.value = permission === 'granted'
    if (enabled.value) localStorage.setItem(key, 'on')
  }

  /** Shows a notification if turned on and the page is not visible; true if one was shown. */
  function notify(title: string, body: string, onClick?: () => void): boolean {
    if (!api || !enabled.value || api.permission !== 'granted' || document.visibilityState === 'visible') return false
    const shown = new api(title, { body, tag: 'aiprogress-job' })
    shown.onclick = () => {
      window.focus()
      onClick?.()
      shown.close()
    }
    return true
  }

  return { supported, enabled, denied, toggle, notify }
}
