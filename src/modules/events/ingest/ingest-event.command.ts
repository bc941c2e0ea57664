/**
 * The one way in: every event, whatever carried it (the REST API, `/ingest`, a broker
 * consumer, a replay tool), becomes this command and goes through {@link IngestEvent}. A
 * transport adapter only builds the command and turns the result into its own answer.
 */
export type IngestTarget =
  /** one endpoint of the project */
  | { kind: 'endpoint'; endpointId: string }
  /** every endpoint with this owner id (Convoy's fan-out) */
  | { kind: 'owner'; ownerId: string }
  /** every subscription of the project that matches */
  | { kind: 'broadcast' }
  /** a URL: its endpoint and subscription are found or created */
  | { kind: 'dynamic'; url: string; secret?: string; eventTypes?: string[] }
  /** an incoming webhook or broker message: the subscriptions of its source */
  | { kind: 'source'; sourceId: string };

export interface IngestEventCommand {
  projectId: string;
  target: IngestTarget;
  eventType: string;
  /**
   * The payload (`data`) as JSON: the bytes a transport received (checked for UTF-8 and
   * parsed here), or text already known to be well-formed JSON.
   */
  payload: Buffer | string;
  /** The payload already parsed by the transport, so the hot path does not parse it twice. */
  data?: unknown;
  /** Headers sent with every delivery of the event; header filters match them too. */
  customHeaders?: Record<string, unknown>;
  /** Headers of the request or message that carried the event: header filters see them, receivers do not. */
  requestHeaders?: Record<string, string>;
  /** Query parameters of that request (a repeated name as an array): query filters see them. */
  requestQuery?: Record<string, string | string[]>;
  /** URL path of that request: path filters see it as `{"path": requestPath}`. */
  requestPath?: string;
  /** A repeat with the same key returns the original event and writes nothing. */
  idempotencyKey?: string;
  /** The broker's id of the message the event came from; with `sourceId`, a repeat returns the original event. */
  brokerMessageId?: string;
  /**
   * The broker source that carried the event when the target is not `source` (a message
   * names its endpoint, owner or broadcast): recorded on the event, not used for routing.
   */
  sourceId?: string;
}
