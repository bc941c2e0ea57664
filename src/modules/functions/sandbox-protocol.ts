/** What the main thread and a sandbox thread say to each other (structured-clone messages). */

export interface SandboxLimits {
  /** the run is interrupted when this passes (epoch ms, set when the thread takes the task) */
  timeoutMs: number;
  memoryLimitBytes: number;
  stackLimitBytes: number;
  maxResultBytes: number;
  maxLogLines: number;
  maxLogLineChars: number;
}

export interface SandboxTask {
  id: number;
  /** `check`: evaluate the script and look for `transform`; `run`: also call it on the input */
  op: 'check' | 'run';
  source: string;
  /** the payload as JSON text (only for `run`) */
  input: string;
  limits: SandboxLimits;
}

/** Why a run failed: a stable class the caller maps to an answer or an attempt's error class. */
export type FunctionFailureKind = 'error' | 'missing_transform' | 'timeout' | 'memory' | 'result_too_large' | 'crashed' | 'busy';

export type SandboxReply =
  | { id: number; ok: true; output: string; log: string[] }
  | { id: number; ok: false; kind: FunctionFailureKind; message: string; log: string[]; broken: boolean };

/** The first message of a thread: the QuickJS module is loaded and tasks can come. */
export interface SandboxReady {
  ready: true;
}

/** Given to a sandbox thread when it starts. */
export interface SandboxThreadData {
  memoryLimitBytes: number;
}
