/** Whether the change-password dialog (mounted once, by the app shell) is open: the account
 * menu opens it, and so does a new installation's first steps. */
import { ref } from 'vue'

export const passwordDialogOpen = ref(false)
