import { useEffect, useRef, type ReactNode } from 'react';

/**
 * An inline confirmation: the question takes the focus, Escape or Cancel closes it, and
 * the action runs only on the explicit confirm button.
 */
export function Confirm({ children, confirmLabel, onConfirm, onCancel, busy = false }: {
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  busy?: boolean;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <div
      ref={ref}
      role="alertdialog"
      aria-modal="false"
      aria-label="Confirm"
      tabIndex={-1}
      className="confirm"
      onKeyDown={(event) => {
        if (event.key === 'Escape') onCancel();
      }}
    >
      <div>{children}</div>
      <div className="actions">
        <button type="button" className="danger" onClick={onConfirm} disabled={busy}>
          {confirmLabel}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
