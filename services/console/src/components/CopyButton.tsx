import { useState } from 'react';

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      setState('failed');
    }
  };
  return (
    <button type="button" className="secondary" onClick={() => void copy()}>
      {label}
      <span aria-live="polite" className="copy-state">
        {state === 'copied' ? ' ✓ copied' : state === 'failed' ? ' (copy failed: select the text)' : ''}
      </span>
    </button>
  );
}
