/**
 * A minimal in-process publish/subscribe bus keyed by record id. The
 * scale-out implementation (Redis pub/sub) fills the same two methods.
 */
import { EventEmitter } from 'node:events';

export interface Bus<T extends { id: string }> {
  emit(value: T): void;
  subscribe(id: string | null, listener: (value: T) => void): () => void;
  close(): void;
}

export function createEmitterBus<T extends { id: string }>(): Bus<T> {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    emit(value) {
      emitter.emit(`id:${value.id}`, value);
      emitter.emit('all', value);
    },
    subscribe(id, listener) {
      const event = id === null ? 'all' : `id:${id}`;
      emitter.on(event, listener);
      return () => emitter.off(event, listener);
    },
    close: () => emitter.removeAllListeners(),
  };
}
