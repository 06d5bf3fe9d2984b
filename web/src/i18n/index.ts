/**
 * UI language: zh-CN or en, chosen from the browser on first visit, then from
 * the user's own pick (remembered in localStorage).
 */
import { createI18n, useI18n } from 'vue-i18n'
import { setRequestLanguage } from '../api/client'
import en from './en'
import type { MessageSchema } from './schema'
import zhCN from './zh-CN'

/** Every dotted message path, e.g. 'auth.submit'. */
type Leaves<T, Prefix extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${Prefix}${K}` : Leaves<T[K], `${Prefix}${K}.`>
}[keyof T & string]
export type MessageKey = Leaves<MessageSchema>
export type MessageValues = Record<string, string | number>
export type Translate = (key: MessageKey, values?: MessageValues) => string

export const LOCALES = [
  { code: 'zh-CN', label: '中文' },
  { code: 'en', label: 'English' },
] as const
export type AppLocale = (typeof LOCALES)[number]['code']

const STORAGE_KEY = 'xietong.locale'

function isAppLocale(value: unknown): value is AppLocale {
  return LOCALES.some((locale) => locale.code === value)
}

function storedLocale(): AppLocale | null {
  try {
    const value = localStorage.getItem(STORAGE_KEY)
    return isAppLocale(value) ? value : null
  } catch {
    return null // storage disabled (private mode, policy): fall back to the browser
  }
}

function browserLocale(): AppLocale {
  // Any Chinese variant (zh, zh-TW, zh-Hans-CN…) gets the Chinese UI; everything else English.
  for (const tag of navigator.languages ?? [navigator.language]) {
    const lower = tag.toLowerCase()
    if (lower.startsWith('zh')) return 'zh-CN'
    if (lower.startsWith('en')) return 'en'
  }
  return 'en'
}

const initial = storedLocale() ?? browserLocale()

export const i18n = createI18n<[MessageSchema], AppLocale, false>({
  legacy: false,
  locale: initial,
  fallbackLocale: 'en',
  messages: { 'zh-CN': zhCN, en },
})

function apply(locale: AppLocale): void {
  document.documentElement.lang = locale
  setRequestLanguage(locale)
}
apply(initial)

export function currentLocale(): AppLocale {
  return i18n.global.locale.value
}

export function setLocale(locale: AppLocale): void {
  i18n.global.locale.value = locale
  apply(locale)
  try {
    localStorage.setItem(STORAGE_KEY, locale)
  } catch {
    // Not remembered, but the switch still applies for this visit.
  }
}

/** Global translate for code outside components; call it during render to follow switches. */
export const translate: Translate = (key, values) =>
  values ? i18n.global.t(key, values) : i18n.global.t(key)

/**
 * vue-i18n's own t() accepts any string; this one only takes keys that exist,
 * so a misspelt or removed key fails `vue-tsc` instead of showing a raw path.
 */
export function useT(): Translate {
  const { t } = useI18n()
  return (key, values) => (values ? t(key, values) : t(key))
}
