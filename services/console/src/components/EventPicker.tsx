import { coveredByParent, eventTree } from '../format';
import type { CatalogEvent } from '../api';

/**
 * The catalog as a tree of top-level events and their sub-events, with descriptions.
 * A top-level event already includes its sub-events: they show as included.
 */
export function EventPicker({ catalog, selected, onChange, errorId }: {
  catalog: CatalogEvent[];
  selected: ReadonlySet<string>;
  onChange: (next: Set<string>) => void;
  errorId?: string | undefined;
}) {
  const covered = coveredByParent(selected, catalog);
  const toggle = (type: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(type);
    else next.delete(type);
    onChange(next);
  };
  return (
    <fieldset className="event-picker" aria-describedby={errorId ? `events-help ${errorId}` : 'events-help'}>
      <legend>Events</legend>
      <p id="events-help" className="help">
        A top-level event is sent for each of its sub-events too: subscribing to it already includes them. Pick a sub-event alone to receive only that change.
      </p>
      {eventTree(catalog).map((family) => (
        <div key={family.family} className="family">
          <h3>{family.family}</h3>
          <ul>
            {family.events.map((event) => (
              <li key={event.type}>
                <label>
                  <input type="checkbox" checked={selected.has(event.type)} onChange={(change) => toggle(event.type, change.target.checked)} />
                  <code>{event.type}</code> <span className="muted">{event.description}</span>
                </label>
                {event.children.length > 0 ? (
                  <ul>
                    {event.children.map((child) => (
                      <li key={child.type}>
                        <label>
                          <input
                            type="checkbox"
                            checked={selected.has(child.type) || covered.has(child.type)}
                            disabled={covered.has(child.type)}
                            onChange={(change) => toggle(child.type, change.target.checked)}
                          />
                          <code>{child.type}</code> <span className="muted">{child.description}</span>
                          {covered.has(child.type) ? <span className="included"> (included by {event.type})</span> : null}
                        </label>
                      </li>
                    ))}
                  </ul>
                ) : null}
              </li>
            ))}
          </ul>
        </div>
      ))}
    </fieldset>
  );
}
