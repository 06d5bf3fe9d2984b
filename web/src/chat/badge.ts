import { ref } from 'vue'

/** Unread messages over all channels, for the tab title; kept by the chat store. */
export const unreadTotal = ref(0)
