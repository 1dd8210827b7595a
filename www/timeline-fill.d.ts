// Types of timeline-fill.js (the npm package's `mxdag/timeline-fill`).
import type { IngestReport, PlannedRequest, Strategy, Timeline, TimelineGap, TimelineInsertion, TimelinePage } from "../mxdag.js";

/** What a transport answers: the HTTP status and the response (text or parsed JSON). */
export interface TransportAnswer {
  status: number;
  body?: unknown;
  /** Through mxdag's signing proxy: its x-mxdag-forwards-fill header. */
  via?: string;
}

/** Options of `fillGap`. */
export interface FillGapOptions {
  /** The servers believed to be in the room. */
  servers: string[];
  strategy?: Strategy;
  /** The `limit` of each request. */
  limit?: number;
  /** Events in the returned page (default 50). */
  pageLimit?: number;
}

/** A request that failed. */
export interface FailedRequest {
  request: PlannedRequest;
  status: number;
  errcode?: string;
  error?: string;
}

/** What `fillGap` did. */
export interface FillGapResult {
  requests: PlannedRequest[];
  answered: number;
  failed: FailedRequest[];
  inserted: TimelineInsertion[];
  reports: IngestReport[];
  /** The page, in time order, that ends with the gap's event. */
  page: TimelinePage;
}

/** Fills one gap of `timeline` with one round of the planner's requests, sent by `fetch`. */
export function fillGap(
  timeline: Timeline,
  gap: TimelineGap | string,
  fetch: (request: PlannedRequest) => Promise<TransportAnswer>,
  options: FillGapOptions,
): Promise<FillGapResult>;
