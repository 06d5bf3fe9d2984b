import { createApp } from 'vue'
import { onUnauthorized } from './api/client'
import App from './App.vue'
import { router } from './app/router'
import { forgetSession } from './auth/session'
import { i18n } from './i18n'
import './styles.css'

// The session ended (an ordinary call answered 401, or the event socket was closed as signed
// out: expired, signed out elsewhere, revoked, deactivated): drop local state (forgetSession
// also stops the chat) and ask to sign in again, coming back to the same page afterwards.
onUnauthorized(() => {
  forgetSession()
  const current = router.currentRoute.value
  if (current.name !== 'login') {
    void router.replace({ name: 'login', query: { next: current.fullPath } })
  }
})

// The router loads a screen's code only after the session check; start the likely ones at
// once so both travel together (the chat screen is where almost every visit lands).
if (location.pathname === '/' || location.pathname.startsWith('/chat')) {
  void import('./app/AppShell.vue')
  void import('./chat/ChatView.vue')
  const channel = /^\/chat\/(\d+)\/?$/.exec(location.pathname)
  if (document.cookie.includes('xietong_csrf=') && !location.search.includes('around=')) {
    void import('./chat/store').then(({ prefetchChat }) => prefetchChat(channel ? Number(channel[1]) : null))
  }
}

createApp(App).use(i18n).use(router).mount('#app')
