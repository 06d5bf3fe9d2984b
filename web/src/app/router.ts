import { createRouter, createWebHistory, type RouteLocationRaw } from 'vue-router'
import { ensureSession, isAdmin } from '../auth/session'
import type { MessageKey } from '../i18n'

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without signing in. */
    public?: boolean
    /** Only for owners and admins (the server checks again; this only hides the screen). */
    requiresAdmin?: boolean
    /** Under an admin-only route: department managers too (they define their departments' request types). */
    managersToo?: boolean
    /** Page title, shown as "<title> · 协同". */
    titleKey?: MessageKey
  }
}

/** Only same-site paths are followed after sign-in, never another origin. */
export function safeNextPath(raw: unknown): string {
  if (typeof raw === 'string' && raw.startsWith('/') && !raw.startsWith('//') && !raw.startsWith('/\\')) {
    return raw
  }
  return '/chat'
}

export const router = createRouter({
  history: createWebHistory(import.meta.env.BASE_URL),
  // Every screen is its own chunk, so signing in downloads only the login form.
  routes: [
    {
      path: '/login',
      name: 'login',
      component: () => import('../auth/LoginView.vue'),
      meta: { public: true, titleKey: 'auth.title' },
    },
    {
      path: '/',
      component: () => import('./AppShell.vue'),
      children: [
        { path: '', redirect: { name: 'chat' } },
        {
          path: 'chat/:channelId?',
          name: 'chat',
          component: () => import('../chat/ChatView.vue'),
          meta: { titleKey: 'chat.title' },
        },
        {
          path: 'channels',
          name: 'channel-directory',
          component: () => import('../chat/ChannelDirectoryView.vue'),
          meta: { titleKey: 'chat.directory.title' },
        },
        {
          path: 'search',
          name: 'search',
          component: () => import('../search/SearchView.vue'),
          meta: { titleKey: 'search.label' },
        },
        {
          path: 'people',
          name: 'people',
          component: () => import('../org/PeopleView.vue'),
          meta: { titleKey: 'people.title' },
        },
        {
          path: 'requests',
          name: 'requests',
          component: () => import('../requests/RequestsView.vue'),
          meta: { titleKey: 'requests.title' },
        },
        {
          path: 'requests/new',
          name: 'request-new',
          component: () => import('../requests/NewRequestView.vue'),
          meta: { titleKey: 'requests.form.title' },
        },
        {
          // Notifications link here (`/requests/12`); an id that is not a number is no page.
          path: 'requests/:requestId(\\d+)',
          name: 'request',
          component: () => import('../requests/RequestDetailView.vue'),
          meta: { titleKey: 'requests.title' },
        },
        {
          path: 'approvals',
          name: 'approvals',
          component: () => import('../approvals/ApprovalsView.vue'),
          meta: { titleKey: 'approvals.title' },
        },
        {
          path: 'projects',
          name: 'projects',
          component: () => import('../projects/ProjectsView.vue'),
          meta: { titleKey: 'projects.title' },
        },
        {
          path: 'projects/:projectId(\\d+)',
          name: 'project',
          component: () => import('../projects/ProjectBoardView.vue'),
          meta: { titleKey: 'projects.title' },
        },
        {
          path: 'docs',
          name: 'docs',
          component: () => import('../documents/DocsHomeView.vue'),
          meta: { titleKey: 'docs.title' },
        },
        {
          // A space and a page share one screen (the tree stays as one page opens another).
          path: 'docs/spaces/:spaceId(\\d+)',
          name: 'docs-space',
          component: () => import('../documents/DocsWorkspace.vue'),
          meta: { titleKey: 'docs.title' },
        },
        {
          // Review reminders and search hits link here (`/docs/pages/12`).
          path: 'docs/pages/:pageId(\\d+)',
          name: 'docs-page',
          component: () => import('../documents/DocsWorkspace.vue'),
          meta: { titleKey: 'docs.title' },
        },
        {
          // Notifications link here (`/okr?objective=12`).
          path: 'okr',
          name: 'okr',
          component: () => import('../goals/OkrView.vue'),
          meta: { titleKey: 'okr.title' },
        },
        {
          path: 'meetings',
          name: 'meetings',
          component: () => import('../meetings/MeetingsView.vue'),
          meta: { titleKey: 'meetings.title' },
        },
        {
          // Invitations and reminders link here (`/meetings/12`).
          path: 'meetings/:meetingId(\\d+)',
          name: 'meeting',
          component: () => import('../meetings/MeetingView.vue'),
          meta: { titleKey: 'meetings.title' },
        },
        {
          path: 'glossary',
          name: 'glossary',
          component: () => import('../glossary/GlossaryView.vue'),
          meta: { titleKey: 'glossary.title' },
        },
        {
          // Hover cards and notifications link here (`/glossary/12`).
          path: 'glossary/:termId(\\d+)',
          name: 'glossary-term',
          component: () => import('../glossary/TermView.vue'),
          meta: { titleKey: 'glossary.title' },
        },
        {
          path: 'surveys',
          name: 'surveys',
          component: () => import('../surveys/SurveysView.vue'),
          meta: { titleKey: 'surveys.title' },
        },
        {
          path: 'surveys/new',
          name: 'survey-new',
          component: () => import('../surveys/SurveyBuilder.vue'),
          meta: { titleKey: 'surveys.builder.title' },
        },
        {
          // Poll cards in chat and notifications link here (`/surveys/12`).
          path: 'surveys/:surveyId(\\d+)',
          name: 'survey',
          component: () => import('../surveys/SurveyView.vue'),
          meta: { titleKey: 'surveys.title' },
        },
        {
          // 员工之声: kudos notifications link here (`/kudos?highlight=12`).
          path: 'kudos',
          name: 'kudos',
          component: () => import('../feedback/KudosView.vue'),
          meta: { titleKey: 'voice.kudos.title' },
        },
        {
          path: 'showcase',
          name: 'showcase',
          component: () => import('../feedback/ShowcaseView.vue'),
          meta: { titleKey: 'voice.showcase.title' },
        },
        {
          path: 'suggestions',
          name: 'suggestions',
          component: () => import('../feedback/SuggestionsView.vue'),
          meta: { titleKey: 'voice.box.title' },
        },
        {
          path: 'announcements',
          name: 'announcements',
          component: () => import('../announcements/AnnouncementsView.vue'),
          meta: { titleKey: 'announcements.title' },
        },
        {
          path: 'announcements/new',
          name: 'announcement-new',
          component: () => import('../announcements/AnnouncementComposer.vue'),
          meta: { titleKey: 'announcements.composer.newTitle' },
        },
        {
          path: 'announcements/review',
          name: 'announcement-reviews',
          component: () => import('../announcements/ReviewInboxView.vue'),
          meta: { titleKey: 'announcements.review.title' },
        },
        {
          // Cards in announcement channels and notifications link here (`/announcements/12`).
          path: 'announcements/:announcementId(\\d+)',
          name: 'announcement',
          component: () => import('../announcements/AnnouncementView.vue'),
          props: (route) => ({ announcementId: Number(route.params.announcementId) }),
          meta: { titleKey: 'announcements.title' },
        },
        {
          path: 'announcements/:announcementId(\\d+)/edit',
          name: 'announcement-edit',
          component: () => import('../announcements/AnnouncementComposer.vue'),
          props: (route) => ({ announcementId: Number(route.params.announcementId) }),
          meta: { titleKey: 'announcements.composer.editTitle' },
        },
        {
          path: 'announcements/:announcementId(\\d+)/receipts',
          name: 'announcement-receipts',
          component: () => import('../announcements/ReceiptsView.vue'),
          props: (route) => ({ announcementId: Number(route.params.announcementId) }),
          meta: { titleKey: 'announcements.receipts.title' },
        },
        {
          // 数据洞察: one screen, its tab in the path (`/analytics/network`), period and department in the query.
          path: 'analytics/:tab(overview|network|responsiveness|sla|delivery|satisfaction|adoption|reports)?',
          name: 'analytics',
          component: () => import('../analytics/AnalyticsView.vue'),
          meta: { titleKey: 'analytics.title' },
        },
        {
          path: 'my-work',
          name: 'my-work',
          component: () => import('../projects/MyWorkView.vue'),
          meta: { titleKey: 'myWork.title' },
        },
        {
          path: 'notifications',
          name: 'notifications',
          component: () => import('../notifications/NotificationsView.vue'),
          meta: { titleKey: 'notifications.title' },
        },
        {
          path: 'admin',
          component: () => import('../admin/AdminView.vue'),
          meta: { requiresAdmin: true, titleKey: 'admin.title' },
          children: [
            { path: '', redirect: { name: 'admin-users' } },
            { path: 'users', name: 'admin-users', component: () => import('../admin/AdminUsers.vue') },
            {
              path: 'departments',
              name: 'admin-departments',
              component: () => import('../admin/AdminDepartments.vue'),
            },
            { path: 'audit', name: 'admin-audit', component: () => import('../admin/AuditLog.vue') },
            { path: 'jobs', name: 'admin-jobs', component: () => import('../admin/AdminJobs.vue') },
            {
              path: 'calendar',
              name: 'admin-calendar',
              component: () => import('../admin/AdminCalendar.vue'),
            },
            {
              path: 'request-types',
              name: 'admin-request-types',
              component: () => import('../admin/AdminRequestTypes.vue'),
              meta: { managersToo: true },
            },
            {
              path: 'approval-flows',
              name: 'admin-approval-flows',
              component: () => import('../admin/AdminApprovalFlows.vue'),
            },
          ],
        },
        {
          path: ':pathMatch(.*)*',
          name: 'not-found',
          component: () => import('./NotFoundView.vue'),
          meta: { titleKey: 'app.notFound' },
        },
      ],
    },
  ],
})

router.beforeEach(async (to): Promise<true | RouteLocationRaw> => {
  let user = null
  try {
    user = await ensureSession()
  } catch {
    // Server unreachable: treat as signed out; the login form reports the network error.
  }
  if (to.meta.public) {
    return user && to.name === 'login' ? safeNextPath(to.query.next) : true
  }
  if (!user) return { name: 'login', query: { next: to.fullPath } }
  if (to.meta.requiresAdmin && !isAdmin(user) && !(to.meta.managersToo && (await managesDepartments(user.id)))) {
    return { name: 'people' }
  }
  return true
})

/** Whether the person manages a department (loaded with the tree, on the way to a page that asks). */
async function managesDepartments(userId: number): Promise<boolean> {
  const { useDepartments } = await import('../org/departments')
  const departments = useDepartments()
  await departments.ensureLoaded()
  return departments.managedBy(userId).size > 0
}
