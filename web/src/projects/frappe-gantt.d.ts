/** What the Gantt view uses of frappe-gantt (the package ships no types). */
declare module 'frappe-gantt' {
  export interface GanttBarTask {
    id: string
    name: string
    start: string
    end: string
    progress?: number
    dependencies?: string[] | string
    custom_class?: string
  }
  export interface GanttViewMode {
    name: string
    padding?: string | string[]
    step: string
    date_format?: string
    column_width?: number
    lower_text?: string | ((d: Date, ld: Date | null, lang: string) => string)
    upper_text?: string | ((d: Date, ld: Date | null, lang: string) => string)
    upper_text_frequency?: number
    thick_line?: (d: Date) => boolean
    snap_at?: string
  }
  export interface GanttOptions {
    view_mode?: string
    view_modes?: GanttViewMode[]
    language?: string
    readonly?: boolean
    readonly_progress?: boolean
    move_dependencies?: boolean
    popup?: false
    popup_on?: 'click' | 'hover'
    today_button?: boolean
    view_mode_select?: boolean
    infinite_padding?: boolean
    scroll_to?: string | null
    container_height?: number | 'auto'
    bar_height?: number
    padding?: number
    upper_header_height?: number
    lower_header_height?: number
    holidays?: Record<string, unknown>
    on_click?: (task: GanttBarTask) => void
    on_date_change?: (task: GanttBarTask, start: Date, end: Date) => void
  }
  export default class Gantt {
    constructor(wrapper: HTMLElement | string, tasks: GanttBarTask[], options?: GanttOptions)
    refresh(tasks: GanttBarTask[]): void
    change_view_mode(mode?: string, maintainPosition?: boolean): void
  }
}
