/** Cross-department requests over HTTP (API.md "Requests and approvals"), under the client's names. */
import { api } from '../api/client'
import type { ItemList, Page, Schema } from '../api/types'

export type RequestOut = Schema<'RequestOut'>
/** A request as its events carry it: the same as `RequestOut` without the caller's `can`. */
export type RequestData = Schema<'RequestData'>
export type RequestType = Schema<'RequestTypeOut'>
export type FieldSpec = Schema<'FieldSpec'>
export type FieldType = Schema<'FieldType'>
export type TimelineEntry = Schema<'EntryOut'>
export type RequestStatus = Schema<'Status'>
export type Box = Schema<'RequestBox'>
export type Action = Schema<'Action'>
export type RequestDraft = Schema<'RequestCreate'>
export type Assignment = Schema<'Assignment'>
export type RequestTypeDraft = Schema<'RequestTypeCreate'>
export type RequestTypePatch = Schema<'RequestTypeUpdate'>
export type Suggestions = Schema<'Suggestions'>
export type RequestCounts = Schema<'RequestCounts'>

// Every status once, in the order of the workflow (新建 → … → 已关闭, then the side exits):
// the compiler refuses this while the server has a status the client does not know.
const everyStatus: { [S in RequestStatus]: S } = {
  new: 'new',
  accepted: 'accepted',
  in_progress: 'in_progress',
  waiting: 'waiting',
  resolved: 'resolved',
  closed: 'closed',
  rejected: 'rejected',
  withdrawn: 'withdrawn',
}
export const STATUSES: readonly RequestStatus[] = Object.values(everyStatus)
/** Nothing changes a request in these any more (the server's `FINAL`). */
export const FINAL_STATUSES: ReadonlySet<RequestStatus> = new Set(['closed', 'rejected', 'withdrawn'])

const everyAction: { [A in Action]: A } = {
  accept: 'accept',
  start: 'start',
  wait: 'wait',
  resume: 'resume',
  resolve: 'resolve',
  confirm: 'confirm',
  reopen: 'reopen',
  reject: 'reject',
  withdraw: 'withdraw',
}
export const ACTIONS: readonly Action[] = Object.values(everyAction)
/** The actions the server refuses without a reason (`workflow.NEED_REASON`). */
export const NEED_REASON: ReadonlySet<Action> = new Set(['reject', 'reopen', 'wait'])

export interface RequestQuery {
  box: Box
  status?: readonly RequestStatus[]
  cursor?: string | null
  limit?: number
}

export function listRequests(query: RequestQuery, signal?: AbortSignal): Promise<Page<RequestOut>> {
  return api.get<Page<RequestOut>>(
    '/api/v1/requests',
    { box: query.box, status: query.status, cursor: query.cursor, limit: query.limit ?? 30 },
    signal,
  )
}

/** Per tab, how many requests are still under way. */
export function countRequests(signal?: AbortSignal): Promise<RequestCounts> {
  return api.get<RequestCounts>('/api/v1/requests/counts', undefined, signal)
}

export function getRequest(id: number, signal?: AbortSignal): Promise<RequestOut> {
  return api.get<RequestOut>(`/api/v1/requests/${id}`, undefined, signal)
}

export function getTimeline(id: number, signal?: AbortSignal): Promise<TimelineEntry[]> {
  return api.get<ItemList<TimelineEntry>>(`/api/v1/requests/${id}/timeline`, undefined, signal).then((list) => list.items)
}

export function fileRequest(draft: RequestDraft): Promise<RequestOut> {
  return api.post<RequestOut>('/api/v1/requests', draft)
}

export function transitionRequest(id: number, action: Action, reason?: string | null): Promise<RequestOut> {
  return api.post<RequestOut>(`/api/v1/requests/${id}/transition`, { action, reason: reason || undefined })
}

export function assignRequest(id: number, assigneeId: number): Promise<RequestOut> {
  return api.post<RequestOut>(`/api/v1/requests/${id}/assign`, { assignee_id: assigneeId })
}

/** Where free text should go: departments, types and people, each with the words that weighed most. */
export function suggestDispatch(text: string, signal?: AbortSignal): Promise<Suggestions> {
  return api.post<Suggestions>('/api/v1/requests/suggest', { text }, { signal })
}

/** Add to the request's discussion; the requester's word resumes a request waiting for them. */
export function commentOnRequest(id: number, body: string): Promise<RequestOut> {
  return api.post<RequestOut>(`/api/v1/requests/${id}/comments`, { body })
}

export function rateRequest(id: number, score: number, comment?: string | null): Promise<RequestOut> {
  return api.post<RequestOut>(`/api/v1/requests/${id}/rating`, { score, comment: comment || undefined })
}

/** Every type (archived ones too: a filed request keeps its type's name and form). */
export function listRequestTypes(signal?: AbortSignal): Promise<RequestType[]> {
  return api
    .get<ItemList<RequestType>>('/api/v1/request-types', { include_archived: true }, signal)
    .then((list) => list.items)
}

/** Administrators, and a department's managers for the types it receives. */
export function createRequestType(draft: RequestTypeDraft): Promise<RequestType> {
  return api.post<RequestType>('/api/v1/request-types', draft)
}

export function updateRequestType(id: number, patch: RequestTypePatch): Promise<RequestType> {
  return api.patch<RequestType>(`/api/v1/request-types/${id}`, patch)
}
