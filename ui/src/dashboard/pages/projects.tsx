import { api, unwrap } from '../../api/client';
import { when } from '../../shared/format';
import { Link } from '../../shared/router';
import { Loaded, PageTitle, Table, useAsync } from '../../shared/ui';
import { useClient } from '../session';

export function ProjectsPage() {
  const client = useClient();
  const projects = useAsync(() => unwrap(api.projectsList({ client })), [client]);
  return (
    <section>
      <PageTitle app="Caravan">Projects</PageTitle>
      <Loaded state={projects} label="projects">
        {(list) => (
          <Table caption="Projects" empty={list.length === 0}>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">ID</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {list.map((p) => (
                <tr key={p.uid}>
                  <td>
                    <Link href={`/ui/projects/${encodeURIComponent(p.uid)}/endpoints`}>{p.name}</Link>
                  </td>
                  <td>{p.type}</td>
                  <td>
                    <code>{p.uid}</code>
                  </td>
                  <td>{when(p.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Loaded>
    </section>
  );
}
