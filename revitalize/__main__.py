from revitalize.cli import main

raise SystemExit(main())
