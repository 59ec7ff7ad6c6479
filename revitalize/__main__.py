from revitalize.app.cli.main import main

raise SystemExit(main())
