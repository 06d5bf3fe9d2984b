/**
 * A small typed fetch client for the Xietong HTTP API (shared/API.md).
 *
 * The browser authenticates with the HttpOnly session cookie, so every call is
 * same-origin with credentials; unsafe methods echo the readable CSRF cookie in
 * a header (double-submit), which is what the server checks.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
/** A list is sent as the key repeated (`ids=3&ids=7`). */
export type QueryValue = string | number | boolean | null | undefined | readonly (number | string)[]
export type Query = Record<string, QueryValue>

export interface RequestOptions {
  method?: HttpMethod
  query?: Query
  body?: unknown
  signal?: AbortSignal
  /**
   * Whether a 401 means "the session is gone" and should send the user to the
   * sign-in page. Off for calls where 401 is an expected answer (login, /me).
   */
  redirectOn401?: boolean
}

/** The error shape every endpoint answers with: {"error": {code, message, details}}. */
interface ErrorEnvelope {
  error: { code: string; message: string; details?: unknown }
}

export class ApiError extends Error {
  override readonly name = 'ApiError'

  constructor(
    /** HTTP status; 0 when the server could not be reached at all. */
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown = null,
    /** Seconds to wait, from a Retry-After header (429/503), when given. */
    readonly retryAfter: number | null = null,
  ) {
    super(message)
  }
}

const UNSAFE_METHODS: ReadonlySet<HttpMethod> = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
const CSRF_COOKIE = 'xietong_csrf'

let unauthorizedHandler: (() => void) | null = null
let requestLanguage = 'zh-CN'

/**
 * The one handler for "the session is gone" (expired, signed out elsewhere, revoked, the
 * account deactivated): called on a 401 from an ordinary call, and by whoever learns it
 * another way (the event socket closed with 4401) through `reportUnauthorized`.
 */
export function onUnauthorized(handler: () => void): void {
  unauthorizedHandler = handler
}

export function reportUnauthorized(): void {
  unauthorizedHandler?.()
}

/** Sent as Accept-Language so server-side messages can follow the UI language. */
export function setRequestLanguage(language: string): void {
  requestLanguage = language
}

export function readCookie(name: string): string | null {
  for (const part of document.cookie.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim())
  }
  return null
}

export function isAbortError(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError'
}

function buildUrl(path: string, query: Query | undefined): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query ?? {})) {
    // Empty filters are left out rather than sent as `q=`, so the server sees "no filter".
    if (value === undefined || value === null || value === '') continue
    if (Array.isArray(value)) for (const item of value) params.append(key, String(item))
    else params.set(key, String(value))
  }
  const search = params.toString()
  return search ? `${path}?${search}` : path
}

/** Retry-After is either delta-seconds or an HTTP date. */
function parseRetryAfter(header: string | null): number | null {
  if (!header) return null
  const seconds = Number(header)
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds))
  const date = Date.parse(header)
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000))
}

function isErrorEnvelope(value: unknown): value is ErrorEnvelope {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false
  const error: unknown = value.error
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'string' &&
    'message' in error &&
    typeof error.message === 'string'
  )
}

async function toApiError(response: Response): Promise<ApiError> {
  const retryAfter = parseRetryAfter(response.headers.get('Retry-After'))
  let body: unknown = null
  try {
    body = await response.json()
  } catch {
    // A proxy's HTML error page, or an empty body: fall through to a generic error.
  }
  if (isErrorEnvelope(body)) {
    const { code, message, details } = body.error
    return new ApiError(response.status, code, message, details ?? null, retryAfter)
  }
  return new ApiError(response.status, `http_${response.status}`, response.statusText, null, retryAfter)
}

/**
 * Performs one API call and returns the parsed JSON body. Endpoints that answer
 * 204 resolve to undefined, so call them with T = void.
 */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET'
  const headers = new Headers({ Accept: 'application/json', 'Accept-Language': requestLanguage })
  let body: string | FormData | undefined
  if (options.body instanceof FormData) {
    body = options.body // multipart: the browser writes the Content-Type with its boundary
  } else if (options.body !== undefined) {
    headers.set('Content-Type', 'application/json')
    body = JSON.stringify(options.body)
  }
  if (UNSAFE_METHODS.has(method)) {
    const csrf = readCookie(CSRF_COOKIE)
    if (csrf) headers.set('X-CSRF-Token', csrf)
  }

  let response: Response
  try {
    response = await fetch(buildUrl(path, options.query), {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: options.signal,
    })
  } catch (error) {
    if (isAbortError(error)) throw error
    throw new ApiError(0, 'network_error', error instanceof Error ? error.message : String(error))
  }

  if (!response.ok) {
    const error = await toApiError(response)
    if (response.status === 401 && options.redirectOn401 !== false) reportUnauthorized()
    throw error
  }
  if (response.status === 204 || response.headers.get('Content-Length') === '0') {
    // No body by contract; the caller asked for T = void.
    return undefined as T
  }
  return (await response.json()) as T
}

/** The file name a download's Content-Disposition gives (its UTF-8 `filename*`), or `fallback`. */
export function dispositionName(header: string | null, fallback: string): string {
  const encoded = /filename\*=UTF-8''([^;]+)/i.exec(header ?? '')?.[1]
  if (encoded) {
    try {
      return decodeURIComponent(encoded)
    } catch {
      // a malformed escape: the plain name below
    }
  }
  return /filename="([^"]*)"/i.exec(header ?? '')?.[1] || fallback
}

/**
 * Downloads a file the API answers with (an export): fetched like any call, so a refusal is
 * an ApiError the screen can show instead of a file of JSON, then handed to the browser
 * under the name the server gave it. Resolves with the response's headers.
 */
export async function download(path: string, query?: Query, fallbackName = 'download'): Promise<Headers> {
  let response: Response
  try {
    response = await fetch(buildUrl(path, query), {
      headers: { 'Accept-Language': requestLanguage },
      credentials: 'same-origin',
    })
  } catch (error) {
    throw new ApiError(0, 'network_error', error instanceof Error ? error.message : String(error))
  }
  if (!response.ok) {
    const error = await toApiError(response)
    if (response.status === 401) reportUnauthorized()
    throw error
  }
  const url = URL.createObjectURL(await response.blob())
  const link = document.createElement('a')
  link.href = url
  link.download = dispositionName(response.headers.get('Content-Disposition'), fallbackName)
  document.body.append(link)
  link.click()
  link.remove()
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000)
  return response.headers
}

/**
 * Sends a multipart form with XMLHttpRequest, the only browser API that reports upload
 * progress. `onProgress` gets 0..1; the promise settles with the JSON answer (an
 * ApiError for a refusal), and `abort` cancels it.
 */
export function uploadForm<T>(path: string, form: FormData, onProgress: (fraction: number) => void): { done: Promise<T>; abort: () => void } {
  const xhr = new XMLHttpRequest()
  const done = new Promise<T>((resolve, reject) => {
    xhr.open('POST', path)
    xhr.withCredentials = true
    xhr.setRequestHeader('Accept', 'application/json')
    xhr.setRequestHeader('Accept-Language', requestLanguage)
    const csrf = readCookie(CSRF_COOKIE)
    if (csrf) xhr.setRequestHeader('X-CSRF-Token', csrf)
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total)
    }
    xhr.onload = () => {
      let body: unknown = null
      try {
        body = JSON.parse(xhr.responseText)
      } catch {
        // not JSON: handled below
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1)
        resolve(body as T)
        return
      }
      if (isErrorEnvelope(body)) {
        const { code, message, details } = body.error
        reject(new ApiError(xhr.status, code, message, details ?? null))
        return
      }
      reject(new ApiError(xhr.status, `http_${xhr.status}`, xhr.statusText))
    }
    xhr.onerror = () => reject(new ApiError(0, 'network_error', 'network error'))
    xhr.onabort = () => reject(new DOMException('aborted', 'AbortError'))
    xhr.send(form)
  })
  return { done, abort: () => xhr.abort() }
}

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>(path, { query, signal }),
  post: <T>(path: string, body?: unknown, options?: RequestOptions) =>
    request<T>(path, { ...options, method: 'POST', body }),
  patch: <T>(path: string, body: unknown) => request<T>(path, { method: 'PATCH', body }),
  put: <T>(path: string, body: unknown) => request<T>(path, { method: 'PUT', body }),
  delete: <T = void>(path: string) => request<T>(path, { method: 'DELETE' }),
}

/**
 * Human-readable lines from an error's `details`, for showing under a form.
 * Understands the FastAPI/Pydantic list shape [{loc: [...], msg}] and a plain
 * {field: message} map; anything else yields no lines.
 */
export function detailLines(details: unknown): string[] {
  if (Array.isArray(details)) {
    const lines: string[] = []
    for (const item of details as unknown[]) {
      if (typeof item !== 'object' || item === null || !('msg' in item)) continue
      const msg = String(item.msg)
      const loc = 'loc' in item && Array.isArray(item.loc) ? (item.loc as unknown[]) : []
      // Drop the "body" prefix FastAPI puts in front of field paths.
      const field = loc.filter((part) => part !== 'body').join('.')
      lines.push(field ? `${field}: ${msg}` : msg)
    }
    return lines
  }
  if (typeof details === 'object' && details !== null) {
    return Object.entries(details).flatMap(([field, value]) =>
      typeof value === 'string' ? [`${field}: ${value}`] : [],
    )
  }
  return []
}
