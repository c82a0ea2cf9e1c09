/**
 * One pass at a time over a work list: a kick during a pass asks for one more
 * pass after it (never a queue), and a pass may ask for another itself (its
 * batch was full). Shared by the outbox worker and the store write-back.
 */
export interface PassLoop {
  /** Run a pass now, or once more after the one running. */
  kick(): void;
  /** No pass starts after this; resolves when the running one has ended. */
  stop(): Promise<void>;
}

/** `pass` answers true when there may be more work than it took; `onError` gets what it threw. */
export function createPassLoop(pass: () => Promise<boolean | void>, onError: (err: unknown) => void): PassLoop {
  let stopped = false;
  let passing = false;
  let again = false;
  let running: Promise<void> = Promise.resolve();
  const kick = () => {
    if (stopped) return;
    if (passing) {
      again = true;
      return;
    }
    passing = true;
    running = pass()
      .then((more) => {
        if (more === true) again = true;
      })
      .catch(onError)
      .finally(() => {
        passing = false;
        if (again) {
          again = false;
          kick();
        }
      });
  };
  return {
    kick,
    async stop() {
      stopped = true;
      await running;
    },
  };
}
