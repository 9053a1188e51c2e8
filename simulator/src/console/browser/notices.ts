import { ApiError } from './api.ts';

/** Shows what went wrong in the section's alert region, or clears it. */
export function notice(region: HTMLElement, error: unknown): void {
  if (error === null) {
    region.textContent = '';
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  region.textContent = error instanceof ApiError ? `${message} (${error.code})` : message;
}

/** Runs an action triggered by a control, reporting failure in `region` instead of throwing. */
export async function attempt(region: HTMLElement, action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
    notice(region, null);
  } catch (error) {
    notice(region, error);
  }
}
