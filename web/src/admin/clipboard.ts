/**
 * Copying a secret the server shows once (a reset password, an import's passwords) and
 * saving it as a CSV file.
 */

/** Puts `text` on the clipboard; false when the browser refused (the caller says so). */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text)
    return true
  } catch {
    return false
  }
}

/**
 * A CSV cell that a spreadsheet shows as the text it is: quoted, and with a leading
 * = + - @ (or a tab or carriage return) made inert by a leading apostrophe, so no cell
 * runs as a formula in whoever opens the file.
 */
export function csvCell(value: string): string {
  const inert = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  return `"${inert.replaceAll('"', '""')}"`
}

/** Offers `rows` as a UTF-8 CSV download (with a BOM, so Excel reads the Chinese right). */
export function downloadCsv(name: string, rows: string[][]): void {
  const text = rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n'
  const url = URL.createObjectURL(new Blob(['\ufeff', text], { type: 'text/csv;charset=utf-8' }))
  const link = document.createElement('a')
  link.href = url
  link.download = name
  link.click()
  setTimeout(() => URL.revokeObjectURL(url), 0)
}
