/** Go's path.Clean (lexical): collapse `//`, drop `.`, resolve `..`; `""` becomes `.`. */
export function cleanPath (p: string): string {
  if (p === '') return '.'
  const rooted = p.startsWith('/')
  const out: string[] = []
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue
    if (seg === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop()
      else if (!rooted) out.push('..')
      continue
    }
    out.push(seg)
  }
  const joined = out.join('/')
  if (rooted) return '/' + joined
  return joined === '' ? '.' : joined
}

/**
 * gorilla/mux's cleanPath for request paths: like path.Clean, rooted, keeping one trailing
 * slash when the input had one.
 */
export function cleanRequestPath (p: string): string {
  if (p === '') return '/'
  const rooted = p.startsWith('/') ? p : '/' + p
  let np = cleanPath(rooted)
  if (rooted.endsWith('/') && np !== '/') np += '/'
  return np
}
