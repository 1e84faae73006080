/** The dashboard's shell: navigation (hash routes), the login form, and the current view. */
import { render } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { html } from 'htm/preact'
import { authHeader, login, messageOf, setAuthHeader } from './api.ts'
import { PeersView } from './views/peers.ts'
import { GraphView } from './views/graph.ts'
import { PinsView } from './views/pins.ts'
import { PinDetailView } from './views/pin-detail.ts'

function useHashRoute (): string {
  const [hash, setHash] = useState(location.hash)
  useEffect(() => {
    const on = (): void => { setHash(location.hash) }
    window.addEventListener('hashchange', on)
    return () => { window.removeEventListener('hashchange', on) }
  }, [])
  return hash === '' ? '#/peers' : hash
}

function LoginForm ({ onDone }: { onDone: () => void }) {
  const [error, setError] = useState<string | undefined>(undefined)
  const submit = async (e: SubmitEvent): Promise<void> => {
    e.preventDefault()
    const form = new FormData(e.currentTarget as HTMLFormElement)
    try {
      await login(String(form.get('user')), String(form.get('password')))
      onDone()
    } catch (err) { setError(messageOf(err)) }
  }
  return html`
    <form class="login" aria-labelledby="login-title" onSubmit=${submit}>
      <h2 id="login-title">Log in to the cluster API</h2>
      <p>This API asks for credentials (its <code>basic_auth_credentials</code>). They are exchanged for a token (<code>POST /token</code>) kept until the tab closes.</p>
      <label>User <input name="user" autocomplete="username" required /></label>
      <label>Password <input name="password" type="password" autocomplete="current-password" required /></label>
      <button type="submit">Log in</button>
      ${error !== undefined && html`<p role="alert" class="error">${error}</p>`}
    </form>`
}

const TABS: Array<[string, string]> = [['#/peers', 'Peers'], ['#/graph', 'Health graph'], ['#/pins', 'Pins']]

function App () {
  const route = useHashRoute()
  const [needLogin, setNeedLogin] = useState(false)
  const [session, setSession] = useState(0)
  useEffect(() => {
    const unauthorized = (): void => { setNeedLogin(true) }
    window.addEventListener('cluster-unauthorized', unauthorized)
    return () => { window.removeEventListener('cluster-unauthorized', unauthorized) }
  }, [])
  const loggedIn = (): void => { setNeedLogin(false); setSession(s => s + 1) }
  const logout = (): void => { setAuthHeader(undefined); setNeedLogin(true) }

  let view
  if (route.startsWith('#/pins/')) view = html`<${PinDetailView} cid=${decodeURIComponent(route.slice('#/pins/'.length))} />`
  else if (route === '#/graph') view = html`<${GraphView} />`
  else if (route.startsWith('#/pins')) view = html`<${PinsView} />`
  else view = html`<${PeersView} />`

  return html`
    <header>
      <h1>IPFS Cluster</h1>
      <nav aria-label="Views">
        ${TABS.map(([href, label]) => html`<a href=${href} aria-current=${(route === href || (href === '#/pins' && route.startsWith('#/pins'))) ? 'page' : undefined}>${label}</a>`)}
      </nav>
      ${authHeader() !== undefined && html`<button type="button" class="link" onClick=${logout}>Log out</button>`}
    </header>
    <main key=${session}>
      ${needLogin ? html`<${LoginForm} onDone=${loggedIn} />` : view}
    </main>`
}

render(html`<${App} />`, document.getElementById('root') as HTMLElement)
