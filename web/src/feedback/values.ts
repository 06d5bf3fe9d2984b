/** How each of the company's values looks: a colour pair dark enough for 4.5:1 (axe). */
import type { KudosValue } from './api'

export const VALUE_COLOURS: { [V in KudosValue]: { fg: string; bg: string; bar: string } } = {
  customer_first: { fg: '#b03d00', bg: '#fff0e6', bar: '#f08a4b' },
  teamwork: { fg: '#245bdb', bg: '#e8efff', bar: '#5b8cff' },
  excellence: { fg: '#7a3fc4', bg: '#f3ecfd', bar: '#a374e0' },
  integrity: { fg: '#1f7a3a', bg: '#e3f4e8', bar: '#44a565' },
  ownership: { fg: '#8a5a00', bg: '#fdf3dc', bar: '#d9a23a' },
}
