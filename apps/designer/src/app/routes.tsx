import { Route, Switch } from 'wouter';
import { Activity } from './pages/Activity.js';
import { ContactPage, ContactsList } from './pages/Contacts.js';
import { Debugger } from './pages/Debugger.js';
import { JourneyEditor } from './pages/JourneyEditor.js';
import { JourneysList } from './pages/JourneysList.js';
import { SegmentBuilder } from './pages/SegmentBuilder.js';
import { SegmentsList } from './pages/SegmentsList.js';
import { Settings } from './pages/Settings.js';
import { TemplateEditor } from './pages/TemplateEditor.js';
import { TemplatesList } from './pages/Templates.js';

/** The router decodes only what decodeURI does; ids may hold '/', '?' or '#', so decode the rest here. */
function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** Every page of the app, by its hash path (`#/journeys/<id>`); a page keyed by its id starts afresh. */
export function AppRoutes() {
  return (
    <Switch>
      <Route path="/">
        <JourneysList />
      </Route>
      <Route path="/journeys">
        <JourneysList />
      </Route>
      <Route path="/journeys/:id">
        {({ id }) => <JourneyEditor key={id} journeyId={decoded(id)} />}
      </Route>
      <Route path="/segments">
        <SegmentsList />
      </Route>
      <Route path="/segments/:id">
        {({ id }) => <SegmentBuilder key={id} segmentId={id === 'new' ? undefined : decoded(id)} />}
      </Route>
      <Route path="/templates">
        <TemplatesList />
      </Route>
      <Route path="/templates/:id">
        {({ id }) => (
          <TemplateEditor key={id} templateId={id === 'new' ? undefined : decoded(id)} />
        )}
      </Route>
      <Route path="/contacts">
        <ContactsList />
      </Route>
      <Route path="/contacts/:id">
        {({ id }) => <ContactPage key={id} contactId={decoded(id)} />}
      </Route>
      <Route path="/debugger">
        <Debugger />
      </Route>
      <Route path="/activity/:type?/:id?">
        {({ type, id }) => (
          <Activity
            {...(type ? { routeType: decoded(type) } : {})}
            {...(id ? { routeId: decoded(id) } : {})}
          />
        )}
      </Route>
      <Route path="/settings">
        <Settings />
      </Route>
      <Route>
        <NotFound />
      </Route>
    </Switch>
  );
}

function NotFound() {
  return (
    <div className="page" data-testid="not-found">
      <h1>Page not found</h1>
      <p className="muted">
        Nothing lives at this address. <a href="#/journeys">Go to the journeys</a>.
      </p>
    </div>
  );
}
