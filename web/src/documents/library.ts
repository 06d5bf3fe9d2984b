/** A space's file library over HTTP (docs/api.md "The file library"), and how its files look. */
import { api } from '../api/client'
import type { Schema } from '../api/types'
import type { Space } from './api'

export type LibraryFile = Schema<'LibraryFileOut'>
export type LibraryFileDetail = Schema<'LibraryFileDetail'>
export type LibraryVersion = Schema<'LibraryVersionOut'>
export type LibraryPage = Schema<'LibraryFileList'>
export type StoredFile = Schema<'FileOut'>

export function listLibraryFiles(spaceId: number, cursor: string | null, signal?: AbortSignal): Promise<LibraryPage> {
  return api.get<LibraryPage>(`/api/v1/spaces/${spaceId}/files`, cursor ? { cursor } : undefined, signal)
}

export function addLibraryFile(spaceId: number, fileId: number): Promise<LibraryFileDetail> {
  return api.post<LibraryFileDetail>(`/api/v1/spaces/${spaceId}/files`, { file_id: fileId })
}

export function getLibraryFile(id: number, signal?: AbortSignal): Promise<LibraryFileDetail> {
  return api.get<LibraryFileDetail>(`/api/v1/library-files/${id}`, undefined, signal)
}

export function updateLibraryFile(id: number, patch: Schema<'LibraryFileUpdate'>): Promise<LibraryFileDetail> {
  return api.patch<LibraryFileDetail>(`/api/v1/library-files/${id}`, patch)
}

export function addLibraryVersion(id: number, fileId: number, note: string): Promise<LibraryFileDetail> {
  return api.post<LibraryFileDetail>(`/api/v1/library-files/${id}/versions`, { file_id: fileId, note })
}

export function restoreLibraryVersion(id: number, number: number): Promise<LibraryFileDetail> {
  return api.post<LibraryFileDetail>(`/api/v1/library-files/${id}/versions/${number}/restore`, {})
}

export function deleteLibraryFile(id: number): Promise<void> {
  return api.delete(`/api/v1/library-files/${id}`)
}

/** What the caller may do in the space's library, by their level in the space. */
export function libraryAbilities(space: Pick<Space, 'level' | 'archived'>): { edit: boolean; manage: boolean } {
  const open = !space.archived
  return { edit: open && (space.level === 'edit' || space.level === 'manage'), manage: open && space.level === 'manage' }
}

/** How the browser shows it: images in an <img>, PDFs in its own viewer, the rest downloaded. */
export type PreviewKind = 'image' | 'pdf' | 'none'
const IMAGES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp'])

export function previewKind(file: Pick<StoredFile, 'content_type'>): PreviewKind {
  if (IMAGES.has(file.content_type)) return 'image'
  return file.content_type === 'application/pdf' ? 'pdf' : 'none'
}

/** An icon for the kind of file, from its sniffed type and, for office formats (zip inside), its name. */
export function fileIcon(file: Pick<StoredFile, 'content_type' | 'name'>): string {
  const type = file.content_type
  const extension = file.name.includes('.') ? file.name.split('.').pop()!.toLowerCase() : ''
  if (type.startsWith('image/')) return '🖼️'
  if (type === 'application/pdf') return '📕'
  if (type.startsWith('audio/')) return '🎵'
  if (type.startsWith('video/')) return '🎬'
  if (['xls', 'xlsx', 'csv', 'et', 'numbers'].includes(extension)) return '📊'
  if (['ppt', 'pptx', 'dps', 'key'].includes(extension)) return '📽️'
  if (['doc', 'docx', 'wps', 'pages', 'rtf'].includes(extension)) return '📝'
  if (['zip', 'rar', '7z', 'tar', 'gz'].includes(extension)) return '🗜️'
  if (type === 'text/plain') return '📄'
  return '📎'
}
