import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// The Python app serves the built client from src/xietong/static/ (see
// shared/ARCHITECTURE.md), so the build writes straight into that package.
export default defineConfig({
  base: '/',
  plugins: [vue()],
  define: {
    // Compile-time flags let the bundler drop code we never use: the Options API,
    // vue-i18n's legacy API and global components, and devtools hooks.
    __VUE_OPTIONS_API__: 'false',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    __VUE_I18N_FULL_INSTALL__: 'false',
    __VUE_I18N_LEGACY_API__: 'false',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
  },
  build: {
    outDir: '../src/xietong/static',
    emptyOutDir: true,
    rolldownOptions: {
      output: {
        // Libraries in one chunk: it changes only when dependencies do, so browsers
        // keep it cached across app releases. SortableJS only for the screens that drag; the
        // document editor (Tiptap, ProseMirror, Yjs) and the Markdown reader of old versions
        // only for a document's page.
        codeSplitting: {
          groups: [
            // Vue and its router and i18n first: the editor's group would otherwise take them
            // along as dependencies of @tiptap/vue-3, into the one chunk every screen loads.
            { name: 'vendor', test: /[\\/]node_modules[\\/](@vue|vue|vue-router|vue-i18n|@intlify)[\\/]/, priority: 2 },
            { name: 'sortable', test: /[\\/]node_modules[\\/]sortablejs[\\/]/, priority: 1 },
            {
              name: 'editor',
              test: /[\\/]node_modules[\\/](@tiptap|prosemirror-[^\\/]+|yjs|y-websocket|y-protocols|lib0|orderedmap|rope-sequence|w3c-keyname|linkifyjs|@floating-ui|fast-equals)[\\/]/,
              priority: 1,
            },
            {
              name: 'markdown',
              test: /[\\/]node_modules[\\/](markdown-it|mdurl|uc\.micro|entities|linkify-it|punycode\.js|argparse)[\\/]/,
              priority: 1,
            },
            // ECharts only for a survey's results.
            { name: 'charts', test: /[\\/]node_modules[\\/](echarts|zrender|tslib)[\\/]/, priority: 1 },
            { name: 'libs', test: /[\\/]node_modules[\\/]/ },
          ],
        },
      },
    },
  },
  server: {
    // `npm run dev` talks to a locally running `xietong serve`; same-origin
    // through the proxy keeps the session and CSRF cookies working.
    proxy: {
      '/api': {
        target: process.env.XIETONG_DEV_API ?? 'http://127.0.0.1:8000',
        ws: true,
      },
    },
  },
})
