/** Projects and tasks over HTTP (API.md "Projects and tasks"), under the client's names. */
import { api } from '../api/client'
import type { ItemList, Schema } from '../api/types'

export type Project = Schema<'ProjectOut'>
/** A project as its events carry it: `ProjectOut` without the caller's `my_role` and `can`. */
export type ProjectData = Schema<'ProjectData'>
export type ProjectDraft = Schema<'ProjectCreate'>
export type Visibility = Schema<'Visibility'>
export type Category = Schema<'Category'>
export type Priority = Schema<'Priority'>
export type Status = Schema<'StatusOut'>
export type Task = Schema<'TaskOut'>
/** A task as the board shows it: `TaskOut` without its description and bookkeeping. */
export type Card = Schema<'TaskCard'>
export type TaskDraft = Schema<'TaskCreate'>
export type TaskPatch = Schema<'TaskUpdate'>
export type TaskEntry = Schema<'TaskEntryOut'>
export type Board = Schema<'Board'>
export type BoardColumn = Schema<'BoardColumn'>
export type Permissions = Schema<'MyPermissions'>
export type ProjectTemplate = Schema<'ProjectTemplateOut'>

// Every value once, in the order the screens list them: the compiler refuses these while the
// server has one the client does not know.
const everyPriority: { [P in Priority]: P } = { urgent: 'urgent', high: 'high', normal: 'normal', low: 'low' }
export const PRIORITIES: readonly Priority[] = Object.values(everyPriority)
const everyVisibility: { [V in Visibility]: V } = { members: 'members', company: 'company' }
export const VISIBILITIES: readonly Visibility[] = Object.values(everyVisibility)
const everyCategory: { [C in Category]: C } = { todo: 'todo', doing: 'doing', done: 'done', cancelled: 'cancelled' }
export const CATEGORIES: readonly Category[] = Object.values(everyCategory)

/** The caller's projects and the company-visible ones (every one, for an administrator). */
export function listProjects(signal?: AbortSignal): Promise<ItemList<Project>> {
  return api.get<ItemList<Project>>('/api/v1/projects', undefined, signal)
}

export function getProject(id: number, signal?: AbortSignal): Promise<Project> {
  return api.get<Project>(`/api/v1/projects/${id}`, undefined, signal)
}

export function createProject(draft: ProjectDraft): Promise<Project> {
  return api.post<Project>('/api/v1/projects', draft)
}

/** What a new project may start from, named in the UI's language (Accept-Language). */
export function listProjectTemplates(signal?: AbortSignal): Promise<ProjectTemplate[]> {
  return api.get<ItemList<ProjectTemplate>>('/api/v1/project-templates', undefined, signal).then((list) => list.items)
}

/** Every column with its tasks in order, in one answer. */
export function getBoard(projectId: number, signal?: AbortSignal): Promise<Board> {
  return api.get<Board>(`/api/v1/projects/${projectId}/board`, undefined, signal)
}

export function createTask(projectId: number, draft: TaskDraft): Promise<Task> {
  return api.post<Task>(`/api/v1/projects/${projectId}/tasks`, draft)
}

export function getTask(id: number, signal?: AbortSignal): Promise<Task> {
  return api.get<Task>(`/api/v1/tasks/${id}`, undefined, signal)
}

/** Only the fields given change; `null` clears a date, the assignee, the estimate. */
export function updateTask(id: number, patch: TaskPatch): Promise<Task> {
  return api.patch<Task>(`/api/v1/tasks/${id}`, patch)
}

/** Into `statusId`'s column right after `afterId` (null: at the top). */
export function moveTask(id: number, statusId: number, afterId: number | null): Promise<Task> {
  return api.post<Task>(`/api/v1/tasks/${id}/move`, { status_id: statusId, after_id: afterId })
}

export function taskHistory(id: number, signal?: AbortSignal): Promise<TaskEntry[]> {
  return api.get<ItemList<TaskEntry>>(`/api/v1/tasks/${id}/history`, undefined, signal).then((list) => list.items)
}

/** What the company's settings let the caller do (who may create projects among them). */
export function myPermissions(signal?: AbortSignal): Promise<Permissions> {
  return api.get<Permissions>('/api/v1/settings/permissions', undefined, signal)
}

// ---- a task's details ---------------------------------------------------------------------------

export type Label = Schema<'LabelOut'>
export type LabelColor = Schema<'LabelColor'>
export type LabelSpec = Schema<'LabelSpec'>
export type ChecklistItem = Schema<'ChecklistItemOut'>
export type TaskComment = Schema<'CommentOut'>
export type CommentPage = Schema<'CommentList'>
export type Attachment = Schema<'TaskAttachmentOut'>

const everyColor: { [C in LabelColor]: C } = {
  red: 'red', orange: 'orange', yellow: 'yellow', green: 'green', teal: 'teal', blue: 'blue', purple: 'purple', grey: 'grey',
}
export const LABEL_COLORS: readonly LabelColor[] = Object.values(everyColor)
export const MAX_LABELS = 50
export const MAX_CHECKLIST = 200

/** The whole label set, in order (a label left out is taken off its tasks). */
export function setLabels(projectId: number, labels: LabelSpec[]): Promise<Project> {
  return api.put<Project>(`/api/v1/projects/${projectId}/labels`, { labels })
}

export function watchTask(id: number, watching: boolean): Promise<Task> {
  return watching ? api.post<Task>(`/api/v1/tasks/${id}/watch`, {}) : api.delete<Task>(`/api/v1/tasks/${id}/watch`)
}

export function addCheckItem(id: number, text: string): Promise<Task> {
  return api.post<Task>(`/api/v1/tasks/${id}/checklist`, { text })
}

export function updateCheckItem(id: number, itemId: number, change: { text?: string; done?: boolean }): Promise<Task> {
  return api.patch<Task>(`/api/v1/tasks/${id}/checklist/${itemId}`, change)
}

export function removeCheckItem(id: number, itemId: number): Promise<Task> {
  return api.delete<Task>(`/api/v1/tasks/${id}/checklist/${itemId}`)
}

export function attachFile(id: number, fileId: number): Promise<Task> {
  return api.post<Task>(`/api/v1/tasks/${id}/attachments`, { file_id: fileId })
}

export function detachFile(id: number, fileId: number): Promise<Task> {
  return api.delete<Task>(`/api/v1/tasks/${id}/attachments/${fileId}`)
}

/** Newest first; `cursor` (a page's `next_cursor`) pages to older ones. */
export function listComments(id: number, cursor: string | null, signal?: AbortSignal): Promise<CommentPage> {
  return api.get<CommentPage>(`/api/v1/tasks/${id}/comments`, cursor ? { cursor } : undefined, signal)
}

export function addComment(id: number, text: string): Promise<TaskComment> {
  return api.post<TaskComment>(`/api/v1/tasks/${id}/comments`, { text })
}

export function editComment(id: number, commentId: number, text: string): Promise<TaskComment> {
  return api.patch<TaskComment>(`/api/v1/tasks/${id}/comments/${commentId}`, { text })
}

export function deleteComment(id: number, commentId: number): Promise<void> {
  return api.delete<void>(`/api/v1/tasks/${id}/comments/${commentId}`)
}

export type Gantt = Schema<'Gantt'>
export type GanttTask = Schema<'GanttTask'>
export type TaskOrder = Schema<'TaskOrder'>
export type Due = Schema<'Due'>

/** What `GET /projects/{id}/tasks` narrows to (all of the project's tasks when empty). */
export interface TaskQuery {
  status_id?: number
  assignee_id?: number
  priority?: Priority
  label?: string
  due?: Due
  due_from?: string
  due_to?: string
  q?: string
  sort?: TaskOrder
}

/** The project's tasks as cards, filtered and sorted (not paged: all of them in one answer). */
export function listTasks(projectId: number, query: TaskQuery, signal?: AbortSignal): Promise<Card[]> {
  const params: Record<string, string> = {}
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params[key] = String(value)
  return api.get<ItemList<Card>>(`/api/v1/projects/${projectId}/tasks`, params, signal).then((list) => list.items)
}

/** The dated tasks with their dependencies, the undated ones' ids and the critical path. */
export function getGantt(projectId: number, signal?: AbortSignal): Promise<Gantt> {
  return api.get<Gantt>(`/api/v1/projects/${projectId}/gantt`, undefined, signal)
}

/** The caller's open tasks across projects as cards, soonest due first (`due`: overdue or due soon). */
export function myTasks(due?: Due, signal?: AbortSignal): Promise<Card[]> {
  return api.get<ItemList<Card>>('/api/v1/tasks', due ? { due } : undefined, signal).then((list) => list.items)
}
