import { createApp } from 'vue'
import App from './App.vue'
import { telemetryConfig } from './telemetry/config'
import './styles.css'

const mount = () => createApp(App).mount('#app')

// Telemetry is loaded (and started before the app, so the first stream is traced) only where configured.
const telemetry = telemetryConfig()
if (telemetry) {
  import('./telemetry/setup')
    .then(({ startTelemetry }) => startTelemetry(telemetry))
    .catch((cause) => console.warn('[telemetry] not started', cause))
    .finally(mount)
} else {
  mount()
}
