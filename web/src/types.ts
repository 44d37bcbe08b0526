// Shapes returned by the gridwatch API (see docs/api.md). They are declared once, on the server
// (src/server/api-types.ts); type-only imports are erased from the bundle, so no server code reaches the browser.
import type { AlertStatus, Severity } from '../../src/server/api-types.ts';

export type {
  Account,
  AlertDetail,
  AlertFacetList,
  AlertList,
  AlertListItem,
  AlertStatus,
  AlertStatusChange,
  Catalogue,
  EventDetail,
  EventPage,
  EventSummary,
  IpSummary,
  Me,
  Severity,
  Timeline,
  UserSummary,
  Volume,
} from '../../src/server/api-types.ts';

// Run-time lists for the filters and the status form, in display order (the server's own lists would bring its
// modules into the bundle); typed against the server's unions.
export const ALERT_STATUSES: AlertStatus[] = ['open', 'acknowledged', 'resolved', 'false_positive'];
export const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
