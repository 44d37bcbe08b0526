// The incident routes' JSON (docs/api.md "Incidents"), typed from the server's own declarations: type-only imports,
// erased from the bundle like those of ../../types.ts.
import type { Incident, IncidentChange, IncidentComment } from '../../../../src/incidents/types.ts';
import type { AlertListItem } from '../../types.ts';

export type { IncidentChange, IncidentComment };

/** An incident as the API serialises it (`incidentJson`): the stored record without its Unix-second twins. */
export type IncidentJson = Omit<Incident, 'first_ts' | 'last_ts'>;

/** `GET /incidents`: one page, newest activity first, the most severe first among equals. */
export interface IncidentList {
  incidents: IncidentJson[];
  total: number;
  offset: number;
  limit: number;
}

/** `GET /incidents/:id`: the incident, its alerts as `GET /alerts` lists them, its comments and history (oldest first). */
export interface IncidentDetailJson {
  incident: IncidentJson;
  alerts: AlertListItem[];
  comments: IncidentComment[];
  history: IncidentChange[];
}

/** Path of an incident's page. */
export const incidentPath = (id: string) => `/incidents/${encodeURIComponent(id)}`;
