/** What bench/run.ts needs from a scenario module. */
export interface Scenario {
  /** The name given on the command line and used for the RESULTS.md section. */
  name: string;
  /** The section heading. */
  title: string;
  /** Hard bound on the whole scenario; run.ts fails it past this. */
  timeoutMs: number;
  /** Runs the scenario; returns the section body in Markdown (tables and notes). */
  run(log: (line: string) => void): Promise<string>;
}
