import type zhCN from './zh-CN'

/** The shape of every locale's messages; zh-CN is the source of truth. */
export type MessageSchema = typeof zhCN
