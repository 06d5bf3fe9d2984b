/** Documents over HTTP (docs/api.md "Documents" and "Co-editing and versions"). */
import { api, download, uploadForm } from '../api/client'
import type { ItemList, Schema } from '../api/types'

export type Space = Schema<'SpaceOut'>
export type SpaceKind = Schema<'SpaceKind'>
export type Page = Schema<'PageOut'>
export type PageRef = Schema<'PageRef'>
export type TreeNode = Schema<'TreeNode'>
export type Tree = Schema<'PageTree'>
export type TrashItem = Schema<'TrashItem'>
export type StalePage = Schema<'StalePage'>
export type PageTemplate = Schema<'TemplateOut'>
export type TemplateKey = Schema<'TemplateKey'>
export type Classification = Schema<'Classification'>
export type Grant = Schema<'GrantOut'>
export type GrantIn = Schema<'GrantIn'>
export type GrantLevel = Schema<'GrantLevel'>
export type PagePermissions = Schema<'PagePermissions'>
export type Version = Schema<'VersionOut'>
export type VersionDetail = Schema<'VersionDetail'>
export type VersionDiff = Schema<'VersionDiff'>
export type VersionPage = Schema<'VersionList'>
export type PageData = Schema<'PageData'>

// Every value once, in the order the screens list them: the compiler refuses these while the
// server has one the client does not know.
const everyClassification: { [C in Classification]: C } = { public: 'public', internal: 'internal', confidential: 'confidential' }
export const CLASSIFICATIONS: readonly Classification[] = Object.values(everyClassification)
const everyLevel: { [L in GrantLevel]: L } = { view: 'view', comment: 'comment', edit: 'edit', manage: 'manage' }
export const LEVELS: readonly GrantLevel[] = Object.values(everyLevel)

/** What the caller may do with a page (`can`), as the server names it. */
export type PageAbility = 'comment' | 'edit' | 'manage' | 'classify' | 'review' | 'export' | 'share_by_link'

export function pageCan(page: Pick<Page, 'can'>, ability: PageAbility): boolean {
  return page.can.includes(ability)
}

// ---- spaces -------------------------------------------------------------------------------------

export function listSpaces(signal?: AbortSignal): Promise<Space[]> {
  return api.get<ItemList<Space>>('/api/v1/spaces', undefined, signal).then((list) => list.items)
}

export function getSpace(id: number, signal?: AbortSignal): Promise<Space> {
  return api.get<Space>(`/api/v1/spaces/${id}`, undefined, signal)
}

export function createSpace(draft: Schema<'SpaceCreate'>): Promise<Space> {
  return api.post<Space>('/api/v1/spaces', draft)
}

export function getTree(spaceId: number, signal?: AbortSignal): Promise<Tree> {
  return api.get<Tree>(`/api/v1/spaces/${spaceId}/tree`, undefined, signal)
}

export function getTrash(spaceId: number, signal?: AbortSignal): Promise<TrashItem[]> {
  return api.get<ItemList<TrashItem>>(`/api/v1/spaces/${spaceId}/trash`, undefined, signal).then((list) => list.items)
}

export function getStale(spaceId: number, signal?: AbortSignal): Promise<StalePage[]> {
  return api.get<ItemList<StalePage>>(`/api/v1/spaces/${spaceId}/stale`, undefined, signal).then((list) => list.items)
}

export function listTemplates(signal?: AbortSignal): Promise<PageTemplate[]> {
  return api.get<ItemList<PageTemplate>>('/api/v1/page-templates', undefined, signal).then((list) => list.items)
}

export function listFavourites(signal?: AbortSignal): Promise<PageRef[]> {
  return api.get<ItemList<PageRef>>('/api/v1/favourite-pages', undefined, signal).then((list) => list.items)
}

export function listRecent(signal?: AbortSignal): Promise<PageRef[]> {
  return api.get<ItemList<PageRef>>('/api/v1/recent-pages', { limit: 20 }, signal).then((list) => list.items)
}

// ---- pages --------------------------------------------------------------------------------------

export function getPage(id: number, signal?: AbortSignal): Promise<Page> {
  return api.get<Page>(`/api/v1/pages/${id}`, undefined, signal)
}

export function createPage(draft: Schema<'PageCreate'>): Promise<Page> {
  return api.post<Page>('/api/v1/pages', draft)
}

export function updatePage(id: number, patch: Schema<'PageUpdate'>): Promise<Page> {
  return api.patch<Page>(`/api/v1/pages/${id}`, patch)
}

/** Under `parentId` (null: the top of the space), right after `afterId` (null: first). */
export function movePage(id: number, parentId: number | null, afterId: number | null): Promise<Page> {
  return api.post<Page>(`/api/v1/pages/${id}/move`, { parent_id: parentId, after_id: afterId })
}

export function deletePage(id: number): Promise<void> {
  return api.delete(`/api/v1/pages/${id}`)
}

export function restorePage(id: number): Promise<Page> {
  return api.post<Page>(`/api/v1/pages/${id}/restore`, {})
}

export function setFavourite(id: number, on: boolean): Promise<void> {
  return on ? api.put<void>(`/api/v1/pages/${id}/favourite`, {}) : api.delete(`/api/v1/pages/${id}/favourite`)
}

export function setFreshness(id: number, ownerId: number | null, everyDays: number | null): Promise<Page> {
  return api.put<Page>(`/api/v1/pages/${id}/freshness`, { owner_id: ownerId, review_every_days: everyDays })
}

export function markReviewed(id: number): Promise<Page> {
  return api.post<Page>(`/api/v1/pages/${id}/review`, {})
}

export function getPermissions(id: number, signal?: AbortSignal): Promise<PagePermissions> {
  return api.get<PagePermissions>(`/api/v1/pages/${id}/permissions`, undefined, signal)
}

export function setPermissions(id: number, inherit: boolean, grants: GrantIn[]): Promise<PagePermissions> {
  return api.put<PagePermissions>(`/api/v1/pages/${id}/permissions`, inherit ? { inherit } : { inherit, grants })
}

// ---- import and export --------------------------------------------------------------------------

export type ExportFormat = 'md' | 'docx'
/** What an import accepts (the file picker's filter). */
export const IMPORT_ACCEPT = '.md,.markdown,.txt,.docx'
export const IMPORT_MAX_BYTES = 10 * 1024 * 1024

/** Downloads the page as Markdown or Word (a confidential one is refused: 403). */
export function exportPage(id: number, format: ExportFormat): Promise<Headers> {
  return download(`/api/v1/pages/${id}/export`, { format }, `page.${format}`)
}

/** Downloads the space as a zip of Markdown; how many pages it holds and left out. */
export async function exportSpace(id: number): Promise<{ pages: number; confidentialExcluded: number }> {
  const headers = await download(`/api/v1/spaces/${id}/export`, undefined, 'space.zip')
  return {
    pages: Number(headers.get('X-Export-Pages') ?? 0),
    confidentialExcluded: Number(headers.get('X-Export-Confidential-Excluded') ?? 0),
  }
}

/** A new page from a Markdown, text or Word file, with the upload's progress (0..1). */
export function importPage(file: File, spaceId: number, parentId: number | null, onProgress: (fraction: number) => void): { done: Promise<Page>; abort: () => void } {
  const form = new FormData()
  form.append('space_id', String(spaceId))
  if (parentId !== null) form.append('parent_id', String(parentId))
  form.append('file', file, file.name)
  return uploadForm<Page>('/api/v1/pages/import', form, onProgress)
}

// ---- versions -----------------------------------------------------------------------------------

export function listVersions(id: number, cursor: string | null, signal?: AbortSignal): Promise<VersionPage> {
  return api.get<VersionPage>(`/api/v1/pages/${id}/versions`, cursor ? { cursor } : undefined, signal)
}

export function saveVersion(id: number, name: string): Promise<VersionDetail> {
  return api.post<VersionDetail>(`/api/v1/pages/${id}/versions`, { name })
}

export function getVersion(id: number, versionId: number, signal?: AbortSignal): Promise<VersionDetail> {
  return api.get<VersionDetail>(`/api/v1/pages/${id}/versions/${versionId}`, undefined, signal)
}

/** From the version to the page as it is now. */
export function diffVersion(id: number, versionId: number, signal?: AbortSignal): Promise<VersionDiff> {
  return api.get<VersionDiff>(`/api/v1/pages/${id}/versions/${versionId}/diff`, undefined, signal)
}

export function restoreVersion(id: number, versionId: number): Promise<VersionDetail> {
  return api.post<VersionDetail>(`/api/v1/pages/${id}/versions/${versionId}/restore`, {})
}

/** The page's co-editing socket (y-websocket's provider adds `/<room>` to the base). */
export function collabBase(): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${scheme}//${location.host}/api/v1/pages`
}

// ---- comments -------------------------------------------------------------------------------

export type CommentThread = Schema<'PageThreadOut'>
export type PageComment = Schema<'PageCommentOut'>
export type CommentAnchor = Schema<'PageCommentAnchor'>
export type CommentThreads = Schema<'PageThreadList'>

function commentsUrl(pageId: number, ...rest: (number | string)[]): string {
  return [`/api/v1/pages/${pageId}/comments`, ...rest].join('/')
}

export function listThreads(pageId: number, signal?: AbortSignal): Promise<CommentThreads> {
  return api.get<CommentThreads>(commentsUrl(pageId), undefined, signal)
}

export function startThread(pageId: number, text: string, anchor: CommentAnchor | null): Promise<CommentThread> {
  return api.post<CommentThread>(commentsUrl(pageId), anchor ? { text, anchor } : { text })
}

export function replyToThread(pageId: number, threadId: number, text: string): Promise<PageComment> {
  return api.post<PageComment>(commentsUrl(pageId, threadId, 'replies'), { text })
}

export function editPageComment(pageId: number, commentId: number, text: string): Promise<PageComment> {
  return api.patch<PageComment>(commentsUrl(pageId, commentId), { text })
}

export function deletePageComment(pageId: number, commentId: number): Promise<void> {
  return api.delete<void>(commentsUrl(pageId, commentId))
}

export function setThreadResolved(pageId: number, threadId: number, resolved: boolean): Promise<CommentThread> {
  return api.post<CommentThread>(commentsUrl(pageId, threadId, resolved ? 'resolve' : 'reopen'))
}
