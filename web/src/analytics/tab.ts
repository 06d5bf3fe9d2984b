/** What every tab of 数据洞察 is given by the section. */
import type { AnalyticsAccess, AnalyticsQuery } from './api'

export interface TabProps {
  query: AnalyticsQuery
  access: AnalyticsAccess
  /** The company's time zone (undefined until known). */
  zone?: string
  /** Today in the company's zone. */
  today: string
}
